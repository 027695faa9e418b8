// What RHEL's grub.cfg does with the grubenv at every boot, applied by the harness between the
// virtual device's boots (the device has no bootloader of its own).
//
// Simulates, in GRUB's order: greenboot's fallback counting (RHEL's 08_fallback_counting, which
// reads the previous boot's boot_success), then the menu auto-hide bookkeeping that resets
// boot_success to 0 for the boot about to start (10_reset_boot_success). Leaves out: menu display
// and timeouts, menu_hide_ok, saved_entry and `default` other than entry 0 / entry 1, kernels.
import { readGrubenv, setGrubenv, type Grubenv } from './grubenv.js';

export interface BootMenuPlan {
  /** Boot entry index GRUB boots: 0 = the default deployment, 1 = the previous one. */
  entry: number;
  /** True when the countdown had ended and the previous entry is booted (boot_counter=-1). */
  fallback: boolean;
  set: Grubenv;
}

export interface BootMenuResult extends BootMenuPlan {
  before: Grubenv;
  after: Grubenv;
}

/** Decide, from the grubenv as the last boot left it, which entry boots and what GRUB saves. */
export function planBootMenu(env: Grubenv): BootMenuPlan {
  const set: Grubenv = {};
  let entry = 0;
  let fallback = false;
  const counter = env.boot_counter;
  // Counting runs only while an update is on trial: a counter is set and the last boot was not
  // declared good. GRUB compares strings, so an empty or unset counter means "no trial".
  if (counter !== undefined && counter !== '' && env.boot_success === '0') {
    if (counter === '0' || counter === '-1') {
      entry = 1;
      fallback = true;
      set.boot_counter = '-1';
    } else if (/^-?\d+$/.test(counter)) {
      set.boot_counter = String(Number(counter) - 1);
    }
  }
  // Menu auto-hide: a good last boot clears boot_indeterminate; an indeterminate one is hidden once.
  if (env.boot_success === '1') set.boot_indeterminate = '0';
  else if (env.boot_indeterminate === '1') set.boot_indeterminate = '2';
  // Every boot starts as "not yet declared good"; greenboot-grub2-set-success flips it back.
  set.boot_success = '0';
  return { entry, fallback, set };
}

/** Apply one boot's GRUB logic to a grubenv file and say which entry boots. */
export async function applyBootMenu(file: string): Promise<BootMenuResult> {
  const before = await readGrubenv(file);
  const plan = planBootMenu(before);
  await setGrubenv(file, plan.set);
  return { ...plan, before, after: await readGrubenv(file) };
}
