// The states of a few units in one round of small D-Bus calls: ListUnitsByNames for all their
// states at once, then single properties (UnitFileState, NRestarts) only for the units that ask.
// unit() reads every property of two interfaces (GetAll: about 300 values, arrays of structs
// included), which dbus-next takes ~5 ms per unit to unmarshal; a one-screen status needs six.
import {
  MANAGER,
  MANAGER_PATH,
  PROPERTIES,
  describeCallFailure,
  type CallOptions,
  type MethodCall,
} from './systemd-bus.js';
import { normalizeUnitName } from './systemd-unit.js';

export interface UnitBrief {
  name: string;
  loadState: string;
  activeState: string;
  subState: string;
  /** Read only for the units named in `fileState`; '' otherwise and when there is no unit file. */
  unitFileState: string;
  /** Read only for the services named in `restarts`. */
  nRestarts?: number;
}

export interface UnitStatesOptions extends CallOptions {
  /** Units whose UnitFileState to read too. */
  fileState?: readonly string[];
  /** Services whose NRestarts to read too. */
  restarts?: readonly string[];
}

type Call = (call: MethodCall, options: CallOptions) => Promise<unknown[]>;

const UNIT = 'org.freedesktop.systemd1.Unit';
const SERVICE = 'org.freedesktop.systemd1.Service';

export async function readUnitStates(
  call: Call,
  names: readonly string[],
  options: UnitStatesOptions = {},
): Promise<UnitBrief[]> {
  const { signal, timeoutMs } = options;
  const units = names.map(normalizeUnitName);
  const get = async (path: string, iface: string, name: string) =>
    (
      (
        await call(
          { path, iface: PROPERTIES, member: 'Get', signature: 'ss', body: [iface, name] },
          { signal, timeoutMs },
        )
      )[0] as { value?: unknown } | undefined
    )?.value;
  let rows: unknown[][];
  try {
    [rows] = (await call(
      { path: MANAGER_PATH, iface: MANAGER, member: 'ListUnitsByNames', signature: 'as', body: [units] },
      { signal, timeoutMs },
    )) as [unknown[][]];
  } catch (error) {
    throw describeCallFailure(`list the units ${units.join(', ')}`, error);
  }
  const fileState = new Set((options.fileState ?? []).map(normalizeUnitName));
  const restarts = new Set((options.restarts ?? []).map(normalizeUnitName));
  return Promise.all(
    units.map(async (name, i): Promise<UnitBrief> => {
      // (name, description, load, active, sub, following, object path, job id, job type, job path)
      const [, , loadState, activeState, subState, , path] = (rows[i] ?? []) as string[];
      const brief: UnitBrief = {
        name,
        loadState: loadState ?? 'unknown',
        activeState: activeState ?? 'unknown',
        subState: subState ?? '',
        unitFileState: '',
      };
      if (!path || brief.loadState === 'not-found') return brief;
      const [file, restartCount] = await Promise.all([
        fileState.has(name) ? get(path, UNIT, 'UnitFileState') : undefined,
        restarts.has(name) && name.endsWith('.service') ? get(path, SERVICE, 'NRestarts') : undefined,
      ]).catch((error: unknown) => {
        throw describeCallFailure(`read the state of ${name}`, error);
      });
      return {
        ...brief,
        unitFileState: typeof file === 'string' ? file : '',
        ...(typeof restartCount === 'number' && { nRestarts: restartCount }),
      };
    }),
  );
}
