// Every live source of `status` runs under its own time limit: a hung D-Bus, rpm-ostree or
// Kubernetes API makes its section "unknown (timed out)", never the command hang. The work left
// behind is aborted through its signal; what cannot be aborted ends with the process.
import { failed, type Probe } from '../../core/status/facts.js';
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
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Probe<T>>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error(`${what}: time limit reached`));
      resolve(failed('timed-out', `${what} did not answer within ${(limitMs / 1000).toFixed(1)} s`));
    }, limitMs);
  });
  const startMs = performance.now();
  try {
    const result = await Promise.race([
      run(controller.signal).catch((error: unknown) => describeFailure(what, error)),
      late,
    ]);
    probeTimes.push({ what, startMs, ms: performance.now() - startMs, state: result.state });
    return result;
  } finally {
    clearTimeout(timer);
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
