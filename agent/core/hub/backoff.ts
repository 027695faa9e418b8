// Reconnect delays: exponential with "equal jitter" (half fixed, half random), so a fleet that lost
// its broker at the same moment does not come back in lock step, yet no device waits less than
// half the nominal delay.

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

export const defaultBackoff: BackoffPolicy = { initialMs: 1000, maxMs: 5 * 60_000 };

/** Delay before reconnect attempt `attempt` (0 = the first retry); `random` returns [0, 1). */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const nominal = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(Math.max(0, attempt), 30));
  return Math.round(nominal / 2 + (nominal / 2) * random());
}
