// Facts about the two greenboot implementations that decide what a boot counter means.
// Pure: the caller reads the grubenv and detects the implementation (host-contracts §1).

/** bash greenboot (RHEL 9, 0.15.x) or greenboot-rs (0.16.x); 'unknown' is treated like bash. */
export type GreenbootImplementation = 'bash' | 'rs' | 'unknown';

export interface BootAttempt {
  /** 1-based trial of this deployment; undefined on a fallback boot or when it cannot be known. */
  attempt: number | undefined;
  /** Boots this deployment gets in total before greenboot gives up on it. */
  attempts: number;
  /** boot_counter is negative: GRUB booted the previous entry (the rollback boot). */
  fallback: boolean;
  /** No boot counter under bash greenboot: no update on trial, a red boot is not retried. */
  noCounter: boolean;
}

/**
 * Which trial of the deployment this boot is, from the boot_counter the checks see.
 *
 * bash greenboot writes boot_counter=max when the update is staged and GRUB decrements it before
 * each boot, so the checks see max-1 ... 0: with max 3, counters 2, 1, 0 are attempts 1, 2, 3 of
 * 3, and the 4th boot is the rollback. Without a counter nothing will reboot a red boot
 * (redboot-auto-reboot needs one), so the boot is its only attempt.
 *
 * greenboot-rs sets the counter only after the first failure, so the first boot of an update has
 * no counter, and a failing update gets max + 1 boots: with max 3, unset, 2, 1, 0 are attempts
 * 1, 2, 3, 4 of 4.
 */
export function describeBootAttempt(
  implementation: GreenbootImplementation,
  counter: number | undefined,
  max: number,
): BootAttempt {
  const rs = implementation === 'rs';
  const attempts = rs ? max + 1 : max;
  if (counter !== undefined && counter < 0) return { attempt: undefined, attempts, fallback: true, noCounter: false };
  if (counter === undefined)
    return rs
      ? { attempt: 1, attempts, fallback: false, noCounter: false }
      : { attempt: 1, attempts: 1, fallback: false, noCounter: true };
  const attempt = attempts - counter;
  // A counter at or above max was written under a larger max than the one configured now.
  return { attempt: attempt >= 1 && counter < max ? attempt : undefined, attempts, fallback: false, noCounter: false };
}

/**
 * True when this red boot is the last one of the update: the next boot is the rollback, so the
 * pre-rollback cleanup must run now. bash greenboot: boot_counter is 0 (MicroShift's own red.d
 * script uses the same rule). greenboot-rs: the counter is used up and a next deployment to fall
 * back from is recorded in the grubenv.
 */
export function rollbackImminent(
  implementation: GreenbootImplementation,
  counter: number | undefined,
  nextDeploymentId?: string,
): boolean {
  if (implementation === 'rs') return counter !== undefined && counter <= 0 && Boolean(nextDeploymentId);
  return counter === 0;
}

/** boot_counter from the grubenv: an integer, or undefined when unset/empty; garbage is reported. */
export function parseBootCounter(raw: string | number | undefined): { counter: number | undefined; valid: boolean } {
  if (raw === undefined || raw === '') return { counter: undefined, valid: true };
  if (typeof raw === 'number')
    return Number.isInteger(raw) ? { counter: raw, valid: true } : { counter: undefined, valid: false };
  const text = raw.trim();
  return /^-?\d+$/.test(text) ? { counter: Number(text), valid: true } : { counter: undefined, valid: false };
}
