// Reads the live inputs of this boot's verdict (core/verdict/boot-verdict.ts) for the callers that
// do not gather them anyway: the daemon (hub status, login message, sd_notify), `history` and
// `wait --green` (its grubenv). `status` has its own faster probes and maps them the same way.
import type { BootVerdictInputs } from '../core/verdict/boot-verdict.js';
import { grubenvInput, recordInput, unitInput, type RecordLike } from '../core/verdict/verdict-inputs.js';
import type { GrubEnvReader } from './grubenv.js';
import type { Systemd } from './systemd.js';

export const GREENBOOT_UNITS = {
  healthcheck: 'greenboot-healthcheck.service',
  bootComplete: 'boot-complete.target',
  redboot: 'redboot.target',
} as const;

export interface VerdictProbeDeps {
  /** createGrubEnvReader({ fs }) on a host. */
  grubenv: GrubEnvReader;
  systemd: () => Promise<Systemd>;
  signal?: AbortSignal;
}

/** The grubenv as the verdict reads it; a file the caller may not read (not root) is 'unreadable'. */
export async function readGrubenvInput(grubenv: GrubEnvReader): Promise<BootVerdictInputs['grubenv']> {
  try {
    return grubenvInput(await grubenv.read());
  } catch {
    return 'unreadable';
  }
}

/**
 * greenboot's three units: their load, active and unit file states, all the verdict reads, in one
 * ListUnitsByNames and a UnitFileState each. Not unit(), which unmarshals every property of two
 * interfaces (about 300 values) per unit: the daemon asks every minute. systemd out of reach is
 * an input too, never an error.
 */
export async function readGreenbootUnits(deps: VerdictProbeDeps): Promise<BootVerdictInputs['units']> {
  try {
    const names = Object.values(GREENBOOT_UNITS);
    const [healthcheck, bootComplete, redboot] = await (
      await deps.systemd()
    ).unitStates(names, { signal: deps.signal, fileState: names });
    return {
      ...(unitInput(healthcheck) && { healthcheck: unitInput(healthcheck) }),
      ...(unitInput(bootComplete) && { bootComplete: unitInput(bootComplete) }),
      ...(unitInput(redboot) && { redboot: unitInput(redboot) }),
    };
  } catch (error) {
    return { unreachable: (error as Error).message };
  }
}

/** Everything the verdict of this boot rests on, with this boot's record as the caller read it. */
export async function readLiveVerdictInputs(
  deps: VerdictProbeDeps,
  record: RecordLike | 'none' | 'unreadable',
  greenboot: BootVerdictInputs['greenboot'],
): Promise<BootVerdictInputs> {
  const [units, grubenv] = await Promise.all([readGreenbootUnits(deps), readGrubenvInput(deps.grubenv)]);
  return { record: typeof record === 'object' ? recordInput(record) : record, units, grubenv, greenboot };
}

/**
 * This boot's verdict inputs when one of `records` is this boot's (history lists it with its live
 * verdict, not only what its record says); undefined otherwise.
 */
export async function readCurrentBootInputs(
  deps: VerdictProbeDeps & { bootId: () => Promise<string>; greenboot: () => Promise<BootVerdictInputs['greenboot']> },
  records: readonly (RecordLike & { bootId: string })[],
): Promise<{ bootId: string; inputs: BootVerdictInputs } | undefined> {
  const bootId = await deps.bootId().catch(() => undefined);
  const mine = records.find((r) => r.bootId === bootId);
  if (!mine) return undefined;
  return { bootId: mine.bootId, inputs: await readLiveVerdictInputs(deps, mine, await deps.greenboot()) };
}
