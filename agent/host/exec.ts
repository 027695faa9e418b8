// The one subprocess port. A non-zero exit is data, not an exception: each adapter interprets
// its own tool's exit codes. Only a tool that cannot be started at all throws.
import { HostError } from '../errors.js';

export interface ExecRequest {
  timeoutMs?: number;
  signal?: AbortSignal;
  input?: string;
  env?: Record<string, string>;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface Exec {
  run(file: string, args: readonly string[], request?: ExecRequest): Promise<ExecResult>;
}

export function createExec(): Exec {
  return {
    async run(file, args, request = {}) {
      // Imported on first use: commands that never run a tool do not pay for loading execa.
      const { execa } = await import('execa');
      const result = await execa(file, args, {
        reject: false,
        timeout: request.timeoutMs,
        cancelSignal: request.signal,
        input: request.input,
        env: request.env,
        stdin: request.input === undefined ? 'ignore' : 'pipe',
      });
      if (
        result.failed &&
        result.exitCode === undefined &&
        !result.timedOut &&
        !result.isCanceled &&
        !result.isTerminated
      ) {
        throw new HostError('exec-failed', `cannot run ${file}: ${result.originalMessage ?? result.shortMessage}`, {
          cause: result.cause,
        });
      }
      return {
        exitCode: result.exitCode ?? 128,
        stdout: String(result.stdout ?? ''),
        stderr: String(result.stderr ?? ''),
        timedOut: result.timedOut,
      };
    },
  };
}

/** Refuses commands that would change the real host's boot: for tests and --dry-run. */
export function createSafeExec(
  inner: Exec,
  refused: readonly string[] = ['reboot', 'shutdown', 'poweroff', 'grub2-editenv', 'grub-editenv'],
): Exec {
  return {
    run(file, args, request) {
      const base = file.split('/').pop() ?? file;
      if (
        refused.includes(base) ||
        (base === 'rpm-ostree' && ['rollback', 'upgrade', 'deploy', 'rebase'].includes(args[0] ?? ''))
      ) {
        return Promise.reject(new HostError('exec-refused', `refused to run ${base} ${args.join(' ')} in safe mode`));
      }
      return inner.run(file, args, request);
    },
  };
}
