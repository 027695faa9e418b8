// The one verdict of a boot: GREEN, RED, CHECKING or UNKNOWN, with a reason code and a line of text.
// `status`, `wait --green`, the hub status, the login message, `history` and the daemon's
// sd_notify STATUS all call decideBootVerdict, so no two of them can tell a different story.
//
// What the rules rely on (greenboot 0.15 bash units and GRUB snippet, and greenboot-rs):
// - greenboot-healthcheck.service is a oneshot with RemainAfterExit: it stays `active` after the
//   checks passed, is `activating` while they run, and `failed` when a required check failed;
//   its OnFailure starts redboot.target, which conflicts with boot-complete.target.
// - boot-complete.target can only be reached after the health check passed (the check is
//   RequiredBy= and Before= it).
// - greenboot's GRUB snippet sets boot_success=0 on every boot and greenboot sets it to 1 once
//   boot-complete.target is reached: so boot_success=1 read during a boot speaks for that boot.
//   boot_success=0 does not say red: the checks may still be running.
// - boot_counter=-1 marks the fallback boot (GRUB gave up on the update and booted the previous
//   entry); greenboot's check-fallback unit unsets it early in that boot, so the record of the
//   boot (the rollback edge-agent noticed there) carries it from then on.
// - edge-agent's record of the boot holds the verdict the green or red step wrote, and the
//   result of edge-agent's own required checks (a dry run decides nothing).
// Red wins over everything: a boot anyone declared bad is never shown, reported or acted on as
// good. Then green, then "still checking", then unknown.

export type BootVerdict = 'green' | 'red' | 'checking' | 'unknown';

/** The properties of one of greenboot's units that the verdict reads (systemd's names and values). */
export interface VerdictUnit {
  loadState: string;
  activeState: string;
  /** '' when not known (then the unit does not count as enabled). */
  unitFileState: string;
}

/** What edge-agent's record of the boot says. */
export interface RecordInput {
  verdict?: 'green' | 'red';
  /** edge-agent's required checks (not a dry run): still running, passed or failed; absent when they did not run. */
  required?: 'running' | 'pass' | 'fail';
  /**
   * The rollback edge-agent noticed at this boot's first run was GRUB's fallback. It outlives
   * boot_counter=-1, which greenboot's check-fallback unit unsets early in the boot.
   */
  fallback?: boolean;
}

export interface BootVerdictInputs {
  /** This boot's record: 'none' before edge-agent wrote one, 'unreadable' when it cannot be read (not root, broken). */
  record: RecordInput | 'none' | 'unreadable';
  /**
   * greenboot's units in this boot; a unit that is not loaded is absent. 'past-boot' when the
   * verdict is asked for a boot that is over (history), so only its record speaks.
   */
  units:
    | { healthcheck?: VerdictUnit; bootComplete?: VerdictUnit; redboot?: VerdictUnit }
    | { unreachable: string }
    | 'past-boot';
  /** The grubenv; 'absent' on a host without one, 'unreadable' (not root) or 'past-boot' as for units. */
  grubenv: { bootSuccess?: 0 | 1; bootCounter?: number } | 'absent' | 'unreadable' | 'past-boot';
  /** Which greenboot is installed. */
  greenboot: 'bash' | 'rs' | 'none' | 'unknown';
}

export type VerdictCode =
  | 'record-red'
  | 'healthcheck-failed'
  | 'redboot-started'
  | 'record-green'
  | 'boot-complete'
  | 'healthcheck-passed'
  | 'healthcheck-running'
  | 'required-failed'
  | 'grubenv-boot-success'
  | 'required-running'
  | 'healthcheck-not-started'
  | 'required-passed'
  | 'greenboot-absent'
  | 'healthcheck-disabled'
  | 'systemd-unreachable'
  | 'boot-ended-undecided'
  | 'no-verdict';

export interface BootVerdictDecision {
  verdict: BootVerdict;
  /** Which rule decided, for programs (the hub, tests, `wait --json`). */
  code: VerdictCode;
  /** What the verdict rests on, in one line, for people. */
  reason: string;
  /** GRUB booted the previous entry because the update ran out of attempts (boot_counter=-1). */
  fallback: boolean;
}

// systemctl is-enabled answers 0 for these: greenboot's check would run at boot.
const ENABLED = ['enabled', 'enabled-runtime', 'static', 'alias', 'indirect', 'generated'];
const isUp = (u: VerdictUnit | undefined) => u?.activeState === 'active' || u?.activeState === 'reloading';
const loaded = (u: VerdictUnit | undefined): u is VerdictUnit => u !== undefined && u.loadState === 'loaded';

export function decideBootVerdict(inputs: BootVerdictInputs): BootVerdictDecision {
  const grub = typeof inputs.grubenv === 'object' ? inputs.grubenv : undefined;
  const fromRecord = typeof inputs.record === 'object' && inputs.record.fallback === true;
  const fallback = (grub?.bootCounter !== undefined && grub.bootCounter < 0) || fromRecord;
  return { ...decide(inputs, grub), fallback };
}

type Rule = Omit<BootVerdictDecision, 'fallback'>;
const rule = (verdict: BootVerdict, code: VerdictCode, reason: string): Rule => ({ verdict, code, reason });

function decide(inputs: BootVerdictInputs, grub: { bootSuccess?: 0 | 1 } | undefined): Rule {
  const record = typeof inputs.record === 'object' ? inputs.record : undefined;
  const units = typeof inputs.units === 'object' && !('unreachable' in inputs.units) ? inputs.units : {};
  const hc = units.healthcheck;
  const past = inputs.units === 'past-boot';

  if (record?.verdict === 'red') return rule('red', 'record-red', 'the red step recorded this boot as bad');
  if (hc?.activeState === 'failed') return rule('red', 'healthcheck-failed', 'greenboot-healthcheck.service failed');
  // redboot.target starting already means greenboot declared the boot bad.
  if (isUp(units.redboot) || units.redboot?.activeState === 'activating')
    return rule('red', 'redboot-started', 'greenboot started redboot.target: the boot was declared bad');
  if (record?.verdict === 'green') return rule('green', 'record-green', 'the green step recorded this boot as good');
  if (isUp(units.bootComplete))
    return rule('green', 'boot-complete', 'boot-complete.target reached: greenboot declared the boot good');
  if (isUp(hc)) return rule('green', 'healthcheck-passed', 'greenboot-healthcheck.service passed');
  if (hc?.activeState === 'activating')
    return rule('checking', 'healthcheck-running', 'greenboot-healthcheck.service is running the checks');
  if (record?.required === 'fail') return rule('red', 'required-failed', "edge-agent's required checks failed");
  if (grub?.bootSuccess === 1)
    return rule('green', 'grubenv-boot-success', 'boot_success=1: greenboot declared the boot good');
  if (record?.required === 'running')
    return past
      ? rule('unknown', 'boot-ended-undecided', "the boot ended while edge-agent's required checks were running")
      : rule('checking', 'required-running', "edge-agent's required checks are running");
  if (loaded(hc) && hc.activeState === 'inactive' && ENABLED.includes(hc.unitFileState))
    return rule('checking', 'healthcheck-not-started', 'greenboot-healthcheck.service has not started yet');
  if (record?.required === 'pass') return rule('green', 'required-passed', "edge-agent's required checks passed");
  if (past) return rule('unknown', 'boot-ended-undecided', 'the boot ended without a recorded verdict');
  if (inputs.greenboot === 'none')
    return rule('unknown', 'greenboot-absent', 'greenboot is not installed: boots are not checked');
  if (hc?.loadState === 'masked' || (loaded(hc) && !ENABLED.includes(hc.unitFileState)))
    return rule(
      'unknown',
      'healthcheck-disabled',
      `greenboot-healthcheck.service is ${hc.unitFileState || 'not enabled'}: boots are not checked`,
    );
  if (typeof inputs.units === 'object' && 'unreachable' in inputs.units)
    return rule(
      'unknown',
      'systemd-unreachable',
      `systemd cannot be asked (${inputs.units.unreachable}) and no verdict is recorded`,
    );
  return rule('unknown', 'no-verdict', 'no verdict is recorded and greenboot has not reported one');
}
