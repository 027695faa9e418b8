// Running a unit job (start, stop, restart) and waiting for its result. systemd answers the call
// with the job's path as soon as the job is queued and reports its end in Manager.JobRemoved,
// which can overtake that answer: the listener is in place before the call and keeps what it
// hears until it knows which job is ours.
import { HostError } from '../errors.js';
import { MANAGER, MANAGER_PATH, describeCallFailure, type CallOptions, type SystemBus } from './systemd-bus.js';
import { parseJobResult, type JobResult } from './systemd-unit.js';

export type JobMode = 'replace' | 'fail' | 'isolate' | 'ignore-dependencies' | 'ignore-requirements';

export interface JobOptions extends CallOptions {
  /** How long to wait for the job to finish (default 90 s, systemd's default start timeout). */
  timeoutMs?: number;
  mode?: JobMode;
}

export const JOB_REMOVED = { path: MANAGER_PATH, iface: MANAGER, member: 'JobRemoved' };

/** `bus` must be subscribed with a JobRemoved match in place. */
export async function runUnitJob(
  bus: SystemBus,
  member: 'StartUnit' | 'StopUnit' | 'RestartUnit',
  name: string,
  options: JobOptions = {},
): Promise<JobResult> {
  const { signal, timeoutMs = 90_000, mode = 'replace' } = options;
  const what = `${member} ${name}`;
  const finished = new Map<string, string>();
  let wanted: string | undefined;
  let settle: (result: string) => void = () => undefined;
  let fail: (error: unknown) => void = () => undefined;
  const outcome = new Promise<string>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  outcome.catch(() => undefined);
  const stopLost = bus.onLost(fail);
  const unlisten = bus.listen(JOB_REMOVED, (body) => {
    const [, job, , result] = body as [number, string, string, string];
    if (wanted === undefined) finished.set(job, result);
    else if (job === wanted) settle(result);
  });
  try {
    const [job] = (await bus
      .call({ path: MANAGER_PATH, iface: MANAGER, member, signature: 'ss', body: [name, mode] }, { signal })
      .catch((error: unknown) => {
        throw describeCallFailure(what, error);
      })) as [string];
    wanted = job;
    const early = finished.get(job);
    if (early !== undefined) return parseJobResult(early);
    return parseJobResult(await waitFor(outcome, timeoutMs, signal, what));
  } finally {
    stopLost();
    unlisten();
  }
}

function waitFor<T>(work: Promise<T>, timeoutMs: number, signal: AbortSignal | undefined, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      done();
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      done();
      reject(
        new HostError(
          'systemd-job-timeout',
          `${what}: the job did not finish within ${timeoutMs} ms (it keeps running)`,
          { retryable: true },
        ),
      );
    }, timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        done();
        resolve(value);
      },
      (error: unknown) => {
        done();
        reject(error);
      },
    );
  });
}
