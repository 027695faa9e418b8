// From what each caller already holds (a boot record of either reader, systemd's unit states, the
// parsed grubenv) to the verdict's inputs. One mapping per source, shared by every caller, so
// the same host always becomes the same inputs.
import type { BootVerdictInputs, RecordInput, VerdictUnit } from './boot-verdict.js';

/** The part of a boot record the verdict reads; both record readers give this shape. */
export interface RecordLike {
  verdict?: 'green' | 'red';
  checks?: { required?: { verdict?: 'pass' | 'fail'; dryRun?: boolean } };
  rollback?: { fallback?: boolean };
}

export function recordInput(record: RecordLike): RecordInput {
  const run = record.checks?.required;
  // A dry run (`check --dry-run`, the daemon's runtime health) never decides a boot.
  const required = !run || run.dryRun ? undefined : (run.verdict ?? 'running');
  return {
    ...(record.verdict && { verdict: record.verdict }),
    ...(required && { required }),
    ...(record.rollback?.fallback === true && { fallback: true }),
  };
}

/** A unit as systemd reports it; a unit that is not found counts as not installed. */
export function unitInput(
  unit: { loadState: string; activeState: string; unitFileState?: string } | undefined,
): VerdictUnit | undefined {
  if (!unit || unit.loadState === 'not-found') return undefined;
  return { loadState: unit.loadState, activeState: unit.activeState, unitFileState: unit.unitFileState ?? '' };
}

/** The grubenv as read: undefined when the file does not exist. */
export function grubenvInput(grubenv: { bootSuccess?: 0 | 1; bootCounter?: number } | undefined) {
  if (!grubenv) return 'absent' as const;
  return {
    ...(grubenv.bootSuccess !== undefined && { bootSuccess: grubenv.bootSuccess }),
    ...(grubenv.bootCounter !== undefined && { bootCounter: grubenv.bootCounter }),
  };
}

/** A boot that is over: only its record speaks (greenboot's units and the grubenv are this boot's). */
export function pastBootInputs(record: RecordLike): BootVerdictInputs {
  return { record: recordInput(record), units: 'past-boot', grubenv: 'past-boot', greenboot: 'unknown' };
}
