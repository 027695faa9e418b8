// Every live source of `status` runs under its own time limit: a hung D-Bus, rpm-ostree or
// Kubernetes API makes its section "unknown (timed out)", never the command hang. The work left
// behind is aborted through its signal; what cannot be aborted ends with the process.
import { raceDeadline } from '../../core/deadline.js';
import { failed, type Probe } from '../../core/status/facts.js';
import { sinceStartMs, systemClock } from '../../host/clock.js';
import { AgentError } from '../../errors.js';

/**
 * When each source started and how long it took (ms since the process started), for the
 * benchmark's "where the time goes" and for anyone asking why status was slow on their device:
 * `EDGE_AGENT_STATUS_TRACE=1 edge-agent status` prints it to stderr (status.ts).
 */
export const probeTimes: { what: string; startMs: number; ms: number; state: string }[] = [];

export async function withLimit<T>(
  what: string,
  limitMs: number,
  parent: AbortSignal | undefined,
  run: (signal: AbortSignal) => Promise<Probe<T>>,
): Promise<Probe<T>> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(parent?.reason);
  if (parent?.aborted) onAbort();
  parent?.addEventListener('abort', onAbort, { once: true });
  const startMs = sinceStartMs();
  try {
    // The parent's abort reaches the work through its signal; the work then settles (as a
    // failure) by itself, so the race is only against the time limit.
    const result = await raceDeadline(
      run(controller.signal).catch((error: unknown) => describeFailure(what, error)),
      {
        clock: systemClock,
        ms: limitMs,
        onTimeout: () => {
          controller.abort(new Error(`${what}: time limit reached`));
          return failed('timed-out', `${what} did not answer within ${(limitMs / 1000).toFixed(1)} s`);
        },
      },
    );
    probeTimes.push({ what, startMs, ms: sinceStartMs() - startMs, state: result.state });
    return result;
  } finally {
    parent?.removeEventListener('abort', onAbort);
  }
}

/** A failure as a section state: permission problems say "needs root", timeouts "timed out". */
export function describeFailure(what: string, error: unknown): Probe<never> {
  if (isPermissionError(error)) return failed('needs-root', `${what}: permission denied`);
  const code = error instanceof AgentError ? error.code : '';
  const message = error instanceof Error ? error.message : String(error);
  if (code.endsWith('timeout')) return failed('timed-out', message);
  if (code === 'dbus-unavailable') return failed('unavailable', message);
  return failed('error', message.startsWith(what) ? message : `${what}: ${message}`);
}

export function isPermissionError(error: unknown): boolean {
  for (
    let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0;
    e && depth < 4;
    e = e.cause as typeof e, depth++
  ) {
    if (e.code === 'EACCES' || e.code === 'EPERM') return true;
  }
  return false;
}
