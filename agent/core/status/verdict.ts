// `status`'s view of the one boot verdict (core/verdict/boot-verdict.ts): its probes mapped to the
// verdict's inputs, and what status adds on top: when a green boot is degraded, and the exit code.
import { ExitCode } from '../../exit-codes.js';
import type { StatusFacts } from './facts.js';
import type { BootVerdict, StatusState } from './schema.js';
import {
  decideBootVerdict as decideVerdict,
  type BootVerdictDecision,
  type BootVerdictInputs,
} from '../verdict/boot-verdict.js';
import { grubenvInput, recordInput, unitInput } from '../verdict/verdict-inputs.js';

/** The verdict's inputs from what the status probes found. */
export function statusVerdictInputs(f: StatusFacts): BootVerdictInputs {
  const units = f.units.state === 'ok' ? f.units.value : undefined;
  const grub = f.grubenv.state === 'ok' ? f.grubenv.value : undefined;
  return {
    record: f.record.state !== 'ok' ? 'unreadable' : f.record.value ? recordInput(f.record.value) : 'none',
    units: units
      ? {
          ...(unitInput(units.healthcheck) && { healthcheck: unitInput(units.healthcheck) }),
          ...(unitInput(units.bootComplete) && { bootComplete: unitInput(units.bootComplete) }),
          ...(unitInput(units.redboot) && { redboot: unitInput(units.redboot) }),
        }
      : { unreachable: f.units.state === 'ok' ? '' : f.units.note },
    grubenv: !grub ? 'unreadable' : grub.present ? grubenvInput(grub) : 'absent',
    greenboot: f.greenboot.implementation,
  };
}

export function decideBootVerdict(f: StatusFacts): BootVerdictDecision {
  return decideVerdict(statusVerdictInputs(f));
}

/** Why a green boot is not vouched for, or undefined when it is. */
export function degradedReason(f: StatusFacts, verdict: BootVerdict): string | undefined {
  if (verdict !== 'green') return undefined;
  if (f.device.state === 'ok' && !f.device.value.ostree) return 'this is not an ostree system';
  if (f.record.state === 'error') return "this boot's record cannot be read";
  if (f.record.state === 'ok') {
    const record = f.record.value;
    if (!record) return 'edge-agent has no record of this boot';
    if (!record.checks.required || record.checks.required.dryRun) return "edge-agent's checks did not run this boot";
  }
  return undefined;
}

export function overallState(verdict: BootVerdict, degraded: string | undefined): StatusState {
  if (verdict === 'green' && degraded) return 'degraded';
  return verdict;
}

/** status exit codes: 0 green, 1 red, 2 checking, 3 unknown or degraded. */
export function statusExitCode(state: StatusState): number {
  switch (state) {
    case 'green':
      return ExitCode.Ok;
    case 'red':
      return ExitCode.Failed;
    case 'checking':
      return ExitCode.Pending;
    default:
      return ExitCode.Unknown;
  }
}
