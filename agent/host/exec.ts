// The one subprocess port. A non-zero exit is data, not an exception: each adapter interprets
// its own tool's exit codes. Only a tool that cannot be started at all throws.
//
// Written on node:child_process rather than a process library: the one we used (execa) cost
// ~30 ms to load at every cold start that ran a tool, more than `status` may spend in total
// beyond Node's own start, for the few things needed here: a time limit that ends the tool even
// when it ignores SIGTERM, an abort signal, input on stdin, and bounded output.
import { spawn } from 'node:child_process';
import { HostError } from '../errors.js';

export interface ExecRequest {
  timeoutMs?: number;
  signal?: AbortSignal;
  input?: string;
  /** Added to this process's environment (not a replacement for it). */
  env?: Record<string, string>;
}

export interface ExecResult {
  /** The tool's exit code; 128 when it was ended by a signal (a time limit, an abort, a kill). */
  exitCode: number;
  /** Without its final line break, as a shell's $(...) reads it. */
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface Exec {
  run(file: string, args: readonly string[], request?: ExecRequest): Promise<ExecResult>;
}

/** A tool that ignores SIGTERM this long after its time limit gets SIGKILL. */
export const KILL_AFTER_MS = 5000;
/** More output than this is not an answer any adapter reads: the tool is ended and it is an error. */
export const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;
/** How long the pipes may stay open after the tool exited (see finish()). */
const DRAIN_AFTER_EXIT_MS = 1000;

export function createExec(): Exec {
  return { run: runTool };
}

function runTool(file: string, args: readonly string[], request: ExecRequest = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const cannotRun = (why: string, cause?: unknown) =>
      reject(new HostError('exec-failed', `cannot run ${file}: ${why}`, { cause }));
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(file, args, {
        env: request.env ? { ...process.env, ...request.env } : process.env,
        stdio: [request.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      });
    } catch (error) {
      cannotRun((error as Error).message, error);
      return;
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let timedOut = false;
    let tooLarge = false;
    let killTimer: NodeJS.Timeout | undefined;
    const end = () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      killTimer ??= setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
      killTimer.unref();
    };
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_OUTPUT_BYTES) {
        tooLarge = true;
        end();
      } else into.push(chunk);
    };
    child.stdout?.on('data', collect(out));
    child.stderr?.on('data', collect(err));
    const limit =
      request.timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            end();
          }, request.timeoutMs)
        : undefined;
    const onAbort = () => end();
    request.signal?.addEventListener('abort', onAbort, { once: true });
    if (request.signal?.aborted) end();
    const cleanUp = () => {
      clearTimeout(limit);
      request.signal?.removeEventListener('abort', onAbort);
    };
    // 'error' without a spawn: the tool could not be started (missing, not executable).
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (child.pid !== undefined) return;
      cleanUp();
      cannotRun(error.code ?? error.message, error);
    });
    if (child.stdin) {
      // A tool that exits without reading its input closes the pipe: not this process's error.
      child.stdin.on('error', () => undefined);
      child.stdin.end(request.input);
    }
    let finished = false;
    const finish = (code: number | null) => {
      if (finished) return;
      finished = true;
      cleanUp();
      clearTimeout(drainTimer);
      if (tooLarge) {
        cannotRun(`its output was larger than ${MAX_OUTPUT_BYTES} bytes`);
        return;
      }
      resolve({
        exitCode: code ?? 128,
        stdout: withoutFinalNewline(Buffer.concat(out).toString('utf8')),
        stderr: withoutFinalNewline(Buffer.concat(err).toString('utf8')),
        timedOut,
      });
    };
    // Normally the pipes close right after the tool exits. A process the tool left behind can
    // hold them open for good (a daemon it started; the sleep of a shell script killed at its
    // time limit): what was read by then is the answer.
    let drainTimer: NodeJS.Timeout | undefined;
    child.once('exit', (code) => {
      const drainMs = timedOut || request.signal?.aborted || tooLarge ? 0 : DRAIN_AFTER_EXIT_MS;
      drainTimer = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish(code);
      }, drainMs);
    });
    child.once('close', (code) => {
      if (child.pid !== undefined) finish(code);
    });
  });
}

function withoutFinalNewline(text: string): string {
  return text.endsWith('\r\n') ? text.slice(0, -2) : text.endsWith('\n') ? text.slice(0, -1) : text;
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
