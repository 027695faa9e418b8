// Unit state as systemd reports it over D-Bus, parsed into typed values. Enumerations list every
// value systemd documents; a value from a newer systemd becomes 'unknown' instead of leaking an
// unchecked string into decisions.

export type LoadState = 'stub' | 'loaded' | 'not-found' | 'bad-setting' | 'error' | 'merged' | 'masked' | 'unknown';
export type ActiveState =
  | 'active'
  | 'reloading'
  | 'inactive'
  | 'failed'
  | 'activating'
  | 'deactivating'
  | 'maintenance'
  | 'refreshing'
  | 'unknown';
export type UnitFileState =
  | 'enabled'
  | 'enabled-runtime'
  | 'linked'
  | 'linked-runtime'
  | 'alias'
  | 'masked'
  | 'masked-runtime'
  | 'static'
  | 'disabled'
  | 'indirect'
  | 'generated'
  | 'transient'
  | 'bad'
  | ''
  | 'unknown';
export type JobResult =
  | 'done'
  | 'canceled'
  | 'timeout'
  | 'failed'
  | 'dependency'
  | 'skipped'
  | 'invalid'
  | 'assert'
  | 'unsupported'
  | 'collected'
  | 'once'
  | 'frozen'
  | 'unknown';

export interface UnitState {
  /** The unit's own name (its Id: an alias resolves to the real unit). */
  name: string;
  description: string;
  loadState: LoadState;
  activeState: ActiveState;
  /** Type-specific, e.g. `running`, `auto-restart`, `exited`, `dead`. */
  subState: string;
  /** Why the unit last stopped or failed: `success`, `exit-code`, `signal`, `timeout`, ... ('' if the type has none). */
  result: string;
  /** Automatic restarts since the unit was last started by hand (services only). */
  nRestarts: number;
  unitFileState: UnitFileState;
  mainPid: number;
  /** Where the unit file is, '' for units without one. */
  fragmentPath: string;
  /** Microseconds since the epoch; absent when the transition never happened. */
  activeEnterTimestampUs?: number;
  inactiveExitTimestampUs?: number;
  stateChangeTimestampUs?: number;
  /** Exit status of the main process, once it has exited (services only). */
  execMainStatus?: number;
}

const loadStates = ['stub', 'loaded', 'not-found', 'bad-setting', 'error', 'merged', 'masked'] as const;
const activeStates = [
  'active',
  'reloading',
  'inactive',
  'failed',
  'activating',
  'deactivating',
  'maintenance',
  'refreshing',
] as const;
const unitFileStates = [
  'enabled',
  'enabled-runtime',
  'linked',
  'linked-runtime',
  'alias',
  'masked',
  'masked-runtime',
  'static',
  'disabled',
  'indirect',
  'generated',
  'transient',
  'bad',
  '',
] as const;
const jobResults = [
  'done',
  'canceled',
  'timeout',
  'failed',
  'dependency',
  'skipped',
  'invalid',
  'assert',
  'unsupported',
  'collected',
  'once',
  'frozen',
] as const;

function oneOf<T extends string>(allowed: readonly T[], value: unknown): T | 'unknown' {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : 'unknown';
}

export const parseJobResult = (value: unknown): JobResult => oneOf(jobResults, value);
export const parseUnitFileState = (value: unknown): UnitFileState => oneOf(unitFileStates, value);

/** D-Bus property maps as dbus-next returns them: name -> Variant. */
export type PropertyMap = Record<string, { value: unknown } | undefined>;

/** Build the state from the Unit interface's properties and the type interface's (Service, ...). */
export function parseUnitState(requested: string, unit: PropertyMap, type: PropertyMap): UnitState {
  const text = (props: PropertyMap, key: string) =>
    typeof props[key]?.value === 'string' ? (props[key]?.value as string) : '';
  const num = (props: PropertyMap, key: string) => toNumber(props[key]?.value);
  const mainExited = (num(type, 'ExecMainExitTimestamp') ?? 0) > 0;
  return {
    name: text(unit, 'Id') || requested,
    description: text(unit, 'Description'),
    loadState: oneOf(loadStates, unit.LoadState?.value),
    activeState: oneOf(activeStates, unit.ActiveState?.value),
    subState: text(unit, 'SubState'),
    result: text(type, 'Result'),
    nRestarts: num(type, 'NRestarts') ?? 0,
    unitFileState: parseUnitFileState(unit.UnitFileState?.value ?? ''),
    mainPid: num(type, 'MainPID') ?? 0,
    fragmentPath: text(unit, 'FragmentPath'),
    activeEnterTimestampUs: timestamp(num(unit, 'ActiveEnterTimestamp')),
    inactiveExitTimestampUs: timestamp(num(unit, 'InactiveExitTimestamp')),
    stateChangeTimestampUs: timestamp(num(unit, 'StateChangeTimestamp')),
    execMainStatus: mainExited ? num(type, 'ExecMainStatus') : undefined,
  };
}

/** D-Bus `t` and `x` arrive as BigInt; microsecond timestamps fit a double exactly until 2255. */
export function toNumber(value: unknown): number | undefined {
  if (typeof value === 'bigint') return Number(value);
  return typeof value === 'number' ? value : undefined;
}

// systemd uses 0 for "never" and UINT64_MAX for "infinity".
function timestamp(us: number | undefined): number | undefined {
  return us === undefined || us === 0 || us >= 2 ** 64 - 1 ? undefined : us;
}

/** `microshift` means `microshift.service`, as with systemctl. */
export function normalizeUnitName(name: string): string {
  return /\.(service|socket|target|device|mount|automount|swap|timer|path|slice|scope)$/.test(name)
    ? name
    : `${name}.service`;
}

/** The type interface that carries Result/NRestarts/MainPID, for unit types that have one. */
export function typeInterfaceOf(name: string): string | undefined {
  const type = /\.(service|socket|mount|automount|swap|timer|path|scope)$/.exec(name)?.[1];
  return type ? `org.freedesktop.systemd1.${type[0]?.toUpperCase()}${type.slice(1)}` : undefined;
}

/** sd_bus_path_encode(): every byte but [A-Za-z0-9] (and a leading digit) becomes `_xx`. */
export function unitObjectPath(name: string): string {
  if (name === '') return '/org/freedesktop/systemd1/unit/_';
  let label = '';
  for (const [i, byte] of [...Buffer.from(name, 'utf8')].entries()) {
    const c = String.fromCharCode(byte);
    label += /[A-Za-z]/.test(c) || (i > 0 && /[0-9]/.test(c)) ? c : `_${byte.toString(16).padStart(2, '0')}`;
  }
  return `/org/freedesktop/systemd1/unit/${label}`;
}
