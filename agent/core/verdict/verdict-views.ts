// What each consumer makes of the one boot verdict, kept here so that the property test can put
// every consumer side by side: `wait --green` acts on it, the daemon shows it in its sd_notify
// STATUS and the login message, the hub gets it as the status `verdict` field.
import type { SummaryInput } from '../status/summary.js';
import type { BootVerdict, BootVerdictDecision } from './boot-verdict.js';

/** `wait --green`: release the waiter (exit 0), give up (exit 1), or keep waiting. */
export type WaitAction = 'release' | 'fail' | 'wait';

export function waitAction(verdict: BootVerdict): WaitAction {
  if (verdict === 'green') return 'release';
  if (verdict === 'red') return 'fail';
  // Checking and unknown both may still turn into a verdict (greenboot starts late, D-Bus comes back).
  return 'wait';
}

/** The daemon's sd_notify STATUS line (what `systemctl status edge-agent` shows); `hub` says how the hub link is. */
export function notifyStatusText(decision: Pick<BootVerdictDecision, 'verdict'>, hub: string | undefined): string {
  return `boot ${decision.verdict}, ${hub ?? 'no hub configured'}`;
}

/** The parts of this boot's record the one-line summary names (the deployment, the attempt, the failure). */
export interface SummaryRecord {
  deployment?: { version?: string; checksum?: string };
  greenboot?: { attempt?: number; attempts?: number };
  firstFailure?: { id: string; message?: string };
}

/** The summary line's input (login message) for a verdict, when the caller has no status result. */
export function verdictSummary(decision: BootVerdictDecision, record: SummaryRecord | undefined): SummaryInput {
  return {
    state: decision.verdict,
    deployment: record?.deployment,
    attempt: record?.greenboot?.attempt,
    attempts: record?.greenboot?.attempts,
    failure: decision.verdict === 'red' ? record?.firstFailure : undefined,
    reason: decision.verdict === 'unknown' ? decision.reason : undefined,
  };
}
