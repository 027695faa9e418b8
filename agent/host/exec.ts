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

/**
 * What safe mode refuses: a tool whatever its arguments, or a tool given one of these verbs.
 * Everything that reboots, rolls back, changes the next boot's grubenv (greenboot's boot_counter
 * lives there) or stops services and pods. A verb anywhere in the arguments counts (options such
 * as crictl's `-r ENDPOINT` come first): refusing a harmless read fails a test, missing a write
 * would change the machine.
 */
const REFUSED: Record<string, readonly string[] | 'always'> = {
  reboot: 'always',
  shutdown: 'always',
  poweroff: 'always',
  halt: 'always',
  kexec: 'always',
  systemctl: ['reboot', 'soft-reboot', 'poweroff', 'halt', 'kexec', 'stop', 'restart', 'kill', 'isolate', 'rescue'],
  'grub2-editenv': ['set', 'unset', 'create'],
  'grub-editenv': ['set', 'unset', 'create'],
  'rpm-ostree': ['rollback', 'upgrade', 'deploy', 'rebase', 'reset', 'cleanup', 'finalize-deployment'],
  crictl: ['stop', 'stopp', 'rm', 'rmp'],
};

function refused(base: string, args: readonly string[]): boolean {
  const rule = REFUSED[base];
  return rule === 'always' || (rule !== undefined && args.some((arg) => rule.includes(arg)));
}

/**
 * The safe executor, for `--dry-run` and tests: a command that would reboot, roll back, change the
 * boot counter or stop a service is refused here, before anything runs, with an error naming it.
 */
export function createSafeExec(inner: Exec): Exec {
  return {
    run(file, args, request) {
      const base = file.split('/').pop() ?? file;
      if (refused(base, args))
        return Promise.reject(
          new HostError(
            'exec-refused',
            `refused to run '${[base, ...args].join(' ')}' in safe mode (--dry-run or a test)`,
          ),
        );
      return inner.run(file, args, request);
    },
  };
}
