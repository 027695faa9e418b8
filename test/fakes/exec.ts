// A scripted subprocess port: each command line answers with a canned result, hangs until its
// timeout or abort (as execa does), or is missing from PATH (as the real port reports it).
import { HostError } from '../../agent/errors.js';
import type { Exec, ExecRequest, ExecResult } from '../../agent/host/exec.js';

export type FakeAnswer =
  | Partial<ExecResult>
  | { hang: true }
  | { notFound: true }
  | ((args: readonly string[], request: ExecRequest) => Partial<ExecResult> | Promise<Partial<ExecResult>>);

export class FakeExec implements Exec {
  /** Every command run, as `file arg arg`. */
  readonly ran: string[] = [];
  private answers = new Map<string, FakeAnswer>();

  /** Answer `file` (any arguments) or one exact command line `file arg arg`. */
  on(command: string, answer: FakeAnswer): this {
    this.answers.set(command, answer);
    return this;
  }

  async run(file: string, args: readonly string[], request: ExecRequest = {}): Promise<ExecResult> {
    const line = [file, ...args].join(' ');
    this.ran.push(line);
    const answer = this.answers.get(line) ?? this.answers.get(file) ?? { notFound: true };
    if (typeof answer === 'function') return complete(await answer(args, request));
    if ('notFound' in answer) {
      const cause = Object.assign(new Error(`spawn ${file} ENOENT`), { code: 'ENOENT' });
      throw new HostError('exec-failed', `cannot run ${file}: spawn ${file} ENOENT`, { cause });
    }
    if ('hang' in answer) return hang(request);
    return complete(answer);
  }
}

function complete(partial: Partial<ExecResult>): ExecResult {
  return { exitCode: 0, stdout: '', stderr: '', timedOut: false, ...partial };
}

// The real port reports a killed process as exit 128, with timedOut set when the timeout fired.
function hang(request: ExecRequest): Promise<ExecResult> {
  return new Promise((resolve) => {
    const end = (timedOut: boolean) => {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
      resolve(complete({ exitCode: 128, timedOut }));
    };
    const onAbort = () => end(false);
    const timer = request.timeoutMs === undefined ? undefined : setTimeout(() => end(true), request.timeoutMs);
    if (request.signal?.aborted) return end(false);
    request.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
