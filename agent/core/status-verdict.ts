// The verdict of this boot as `status` reports it, from every source that knows a part of it:
// edge-agent's record (the green/red step and the checks), greenboot's units (the live truth
// while the checks run), and the grubenv (greenboot's own mark). Red wins over everything: a
// red boot must never be reported as anything else.
import { ExitCode } from '../exit-codes.js';
import type { StatusFacts, UnitFacts } from './status-facts.js';
import type { BootVerdict, StatusState } from './status-schema.js';

export interface BootVerdictDecision {
  verdict: BootVerdict;
  /** What the verdict rests on, in one line. */
  reason: string;
}

const isActive = (unit: UnitFacts | undefined) => unit?.activeState === 'active' || unit?.activeState === 'reloading';
const ENABLED = ['enabled', 'enabled-runtime', 'static', 'alias', 'indirect', 'generated'];

export function decideBootVerdict(f: StatusFacts): BootVerdictDecision {
  const record = f.record.state === 'ok' ? f.record.value : undefined;
  const units = f.units.state === 'ok' ? f.units.value : {};
  const hc = units.healthcheck;
  const grub = f.grubenv.state === 'ok' ? f.grubenv.value : undefined;
  const required = record?.checks.required;

  if (record?.verdict === 'red') return { verdict: 'red', reason: 'the red step recorded this boot as bad' };
  if (hc?.activeState === 'failed') return { verdict: 'red', reason: 'greenboot-healthcheck.service failed' };
  if (isActive(units.redboot))
    return { verdict: 'red', reason: 'greenboot started redboot.target: the boot was declared bad' };
  if (record?.verdict === 'green') return { verdict: 'green', reason: 'the green step recorded this boot as good' };
  if (isActive(units.bootComplete))
    return { verdict: 'green', reason: 'boot-complete.target reached: greenboot declared the boot good' };
  if (isActive(hc)) return { verdict: 'green', reason: 'greenboot-healthcheck.service passed' };
  if (hc?.activeState === 'activating')
    return { verdict: 'checking', reason: 'greenboot-healthcheck.service is running the checks' };
  if (required?.verdict === 'fail' && !required.dryRun)
    return { verdict: 'red', reason: "edge-agent's required checks failed" };
  if (grub?.bootSuccess === 1) return { verdict: 'green', reason: 'boot_success=1: greenboot declared the boot good' };
  if (hc && hc.loadState === 'loaded' && hc.activeState === 'inactive' && ENABLED.includes(hc.unitFileState)) {
    return { verdict: 'checking', reason: 'greenboot-healthcheck.service has not started yet' };
  }
  if (required?.verdict === 'pass' && !required.dryRun)
    return { verdict: 'green', reason: "edge-agent's required checks passed" };
  if (f.greenboot.implementation === 'none')
    return { verdict: 'unknown', reason: 'greenboot is not installed: boots are not checked' };
  if (hc && hc.loadState === 'loaded' && !ENABLED.includes(hc.unitFileState))
    return {
      verdict: 'unknown',
      reason: `greenboot-healthcheck.service is ${hc.unitFileState || 'not enabled'}: boots are not checked`,
    };
  if (f.units.state !== 'ok')
    return { verdict: 'unknown', reason: `systemd cannot be asked (${f.units.note}) and no verdict is recorded` };
  return { verdict: 'unknown', reason: 'no verdict is recorded and greenboot has not reported one' };
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
