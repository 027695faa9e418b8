// Gates on this host: our drop-in in /etc/systemd/system/UNIT.d/, written and removed atomically,
// followed by a daemon-reload so systemd sees the change at once. The decisions (names, text)
// are in core/gate.ts.
import { GATE_DROPIN_NAME, gateDropInPath, isGateDropIn, renderGateDropIn } from '../../core/gate.js';
import { DataError } from '../../errors.js';
import type { HostFs } from '../../host/fs.js';
import type { Systemd } from '../../host/systemd.js';

const UNIT_DIR = '/etc/systemd/system';

export interface GateDeps {
  fs: HostFs;
  systemd: () => Promise<Systemd>;
  signal?: AbortSignal;
}

export interface GateChange {
  unit: string;
  dropIn: string;
  /** False when the gate was already there (add) or already gone (remove): no reload then. */
  changed: boolean;
  /** The unit has no unit file (yet): the gate applies once it is installed. */
  unitMissing?: boolean;
  /** The unit is already running: the gate holds it from the next boot (or its next start). */
  alreadyActive?: boolean;
}

export interface GateEntry {
  unit: string;
  dropIn: string;
  activeState?: string;
  unitFileState?: string;
}

/** `unit` must be valid (checkGateUnitName). */
export async function addGate(deps: GateDeps, unit: string): Promise<GateChange> {
  const dropIn = gateDropInPath(unit);
  const text = renderGateDropIn(unit);
  const current = await deps.fs.readText(dropIn);
  if (current !== undefined && !isGateDropIn(current)) throw notOurs(dropIn);
  const changed = current !== text;
  if (changed) await deps.fs.writeAtomic(dropIn, text, 0o644);
  const systemd = await deps.systemd();
  if (changed) await systemd.reload({ signal: deps.signal });
  const [exists, state] = await Promise.all([
    systemd.unitFileExists(unit, { signal: deps.signal }),
    systemd.unit(unit, { signal: deps.signal }),
  ]);
  return {
    unit,
    dropIn,
    changed,
    unitMissing: !exists,
    alreadyActive: state.activeState === 'active' || state.activeState === 'activating',
  };
}

export async function removeGate(deps: GateDeps, unit: string): Promise<GateChange> {
  const dropIn = gateDropInPath(unit);
  const current = await deps.fs.readText(dropIn);
  if (current === undefined) return { unit, dropIn, changed: false };
  if (!isGateDropIn(current)) throw notOurs(dropIn);
  await deps.fs.remove(dropIn);
  // Leave the directory only when others keep drop-ins in it.
  const dir = `${UNIT_DIR}/${unit}.d`;
  if ((await deps.fs.list(dir)).length === 0) await deps.fs.remove(dir);
  await (await deps.systemd()).reload({ signal: deps.signal });
  return { unit, dropIn, changed: true };
}

/** Every unit with our gate drop-in, with its state when systemd can be asked. */
export async function listGates(deps: GateDeps): Promise<{ gates: GateEntry[]; warnings: string[] }> {
  const warnings: string[] = [];
  const dirs = (await deps.fs.list(UNIT_DIR)).filter((n) => n.endsWith('.d'));
  const gates: GateEntry[] = [];
  for (const dir of dirs) {
    const dropIn = `${UNIT_DIR}/${dir}/${GATE_DROPIN_NAME}`;
    const text = await deps.fs.readText(dropIn).catch(() => undefined);
    if (text !== undefined && isGateDropIn(text)) gates.push({ unit: dir.slice(0, -2), dropIn });
  }
  if (gates.length === 0) return { gates, warnings };
  try {
    const systemd = await deps.systemd();
    for (const gate of gates) {
      const state = await systemd.unit(gate.unit, { signal: deps.signal });
      gate.activeState = state.loadState === 'not-found' ? 'not-found' : state.activeState;
      gate.unitFileState = state.unitFileState;
    }
  } catch (error) {
    warnings.push(`unit states unavailable: ${(error as Error).message}`);
  }
  return { gates, warnings };
}

function notOurs(path: string): DataError {
  return new DataError(
    'gate-not-ours',
    `${path} exists but was not written by edge-agent: leaving it alone (remove it yourself if it is no longer wanted)`,
  );
}
