// systemd, over D-Bus (org.freedesktop.systemd1). One connection per adapter, opened on first
// use and reopened after it is lost; every call has a timeout and honours an AbortSignal.
import { HostError } from '../errors.js';
import {
  MANAGER,
  MANAGER_PATH,
  PROPERTIES,
  dbusErrorName,
  describeCallFailure,
  openSystemBus,
  type CallOptions,
  type SystemBus,
} from './systemd-bus.js';
import { JOB_REMOVED, runUnitJob, type JobOptions } from './systemd-jobs.js';
import {
  normalizeUnitName,
  parseUnitFileState,
  parseUnitState,
  typeInterfaceOf,
  unitObjectPath,
  type JobResult,
  type PropertyMap,
  type UnitFileState,
  type UnitState,
} from './systemd-unit.js';
import { readUnitStates, type UnitBrief, type UnitStatesOptions } from './systemd-unit-states.js';
import { watchUnitState, type WatchOptions } from './systemd-watch.js';

export type { ActiveState, JobResult, LoadState, UnitFileState, UnitState } from './systemd-unit.js';
export type { CallOptions } from './systemd-bus.js';
export type { JobMode, JobOptions } from './systemd-jobs.js';
export type { WatchOptions } from './systemd-watch.js';
export type { UnitBrief, UnitStatesOptions } from './systemd-unit-states.js';

export interface SystemdVersion {
  /** As systemd reports it, e.g. `252 (252-32.el9_4)`. */
  text: string;
  major: number | undefined;
}

export interface Systemd {
  /** A unit that does not exist reports loadState 'not-found'; that is not an error. */
  unit(name: string, options?: CallOptions): Promise<UnitState>;
  /** Several units' states in one round of small calls (see systemd-unit-states.ts), in the order asked. */
  unitStates(names: readonly string[], options?: UnitStatesOptions): Promise<UnitBrief[]>;
  /** Calls onChange with the current state, then whenever it changes. Resolves to the unsubscribe. */
  watchUnit(name: string, onChange: (state: UnitState) => void, options?: WatchOptions): Promise<() => Promise<void>>;
  startUnit(name: string, options?: JobOptions): Promise<JobResult>;
  stopUnit(name: string, options?: JobOptions): Promise<JobResult>;
  restartUnit(name: string, options?: JobOptions): Promise<JobResult>;
  /** daemon-reload; resolves once systemd has finished reloading. */
  reload(options?: CallOptions): Promise<void>;
  /** The unit file's state; `undefined` when there is no unit file of that name. */
  unitFileState(name: string, options?: CallOptions): Promise<UnitFileState | undefined>;
  /** What `systemctl is-enabled` answers with exit 0: enabled, enabled-runtime, static, alias, indirect, generated. */
  isEnabled(name: string, options?: CallOptions): Promise<boolean>;
  /** A unit file of that name exists (enabled, disabled, masked or any other state). */
  unitFileExists(name: string, options?: CallOptions): Promise<boolean>;
  version(options?: CallOptions): Promise<SystemdVersion>;
  close(): Promise<void>;
}

export interface SystemdOptions {
  /** Default: DBUS_SYSTEM_BUS_ADDRESS, else the standard system bus socket. */
  busAddress?: string;
  env?: Readonly<Record<string, string | undefined>>;
  /** Per D-Bus call, including connecting (default 5 s). */
  callTimeoutMs?: number;
}

interface Link {
  bus: SystemBus;
  subscribed?: Promise<void>;
}

const ENABLED_STATES: readonly UnitFileState[] = [
  'enabled',
  'enabled-runtime',
  'static',
  'alias',
  'indirect',
  'generated',
];
const NO_UNIT_FILE = ['org.freedesktop.DBus.Error.FileNotFound', 'org.freedesktop.systemd1.NoSuchUnit'];

export function createSystemd(options: SystemdOptions = {}): Systemd {
  const env = options.env ?? process.env;
  const address = options.busAddress ?? env.DBUS_SYSTEM_BUS_ADDRESS ?? 'unix:path=/run/dbus/system_bus_socket';
  const callTimeoutMs = options.callTimeoutMs ?? 5000;
  let current: Promise<Link> | undefined;
  let closed = false;

  // One connection shared by all calls; a failed or lost one is replaced on the next call.
  const link = async (signal?: AbortSignal): Promise<Link> => {
    if (closed) throw new HostError('systemd-closed', 'the systemd adapter was closed');
    const attempt = current;
    const known = attempt && (await attempt.catch(() => undefined));
    signal?.throwIfAborted();
    if (known && !known.bus.lost) return known;
    if (current !== attempt) return link(signal);
    current = openSystemBus(address, { timeoutMs: callTimeoutMs }).then((bus) => ({ bus }));
    return current;
  };
  const call = async (
    member: string,
    signature: string,
    body: unknown[],
    opts: CallOptions = {},
    path = MANAGER_PATH,
    iface = MANAGER,
  ) => {
    const { bus } = await link(opts.signal);
    return bus.call({ path, iface, member, signature, body }, opts);
  };
  // systemd sends unit and job signals only to subscribed clients; JobRemoved is matched once per
  // connection. Shared by all callers, so no one caller's signal may cancel it.
  const subscribe = async (signal?: AbortSignal) => {
    const l = await link(signal);
    l.subscribed ??= (async () => {
      await l.bus.call({ path: MANAGER_PATH, iface: MANAGER, member: 'Subscribe' }).catch((error: unknown) => {
        if (dbusErrorName(error) !== 'org.freedesktop.systemd1.AlreadySubscribed') throw error;
      });
      await l.bus.addMatch(JOB_REMOVED);
    })().catch((error: unknown) => {
      l.subscribed = undefined;
      throw error;
    });
    await l.subscribed;
    signal?.throwIfAborted();
    return l.bus;
  };
  const readUnit = async (name: string, path: string, opts: CallOptions = {}): Promise<UnitState> => {
    const typeIface = typeInterfaceOf(name);
    const getAll = (iface: string) =>
      call('GetAll', 's', [iface], opts, path, PROPERTIES).then((body) => (body[0] ?? {}) as PropertyMap);
    const [unit, type] = await Promise.all([
      getAll('org.freedesktop.systemd1.Unit'),
      typeIface ? getAll(typeIface) : ({} as PropertyMap),
    ]).catch((error: unknown) => {
      throw describeCallFailure(`read the state of ${name}`, error);
    });
    return parseUnitState(name, unit, type);
  };
  const runJob = async (member: 'StartUnit' | 'StopUnit' | 'RestartUnit', name: string, opts: JobOptions = {}) =>
    runUnitJob(await subscribe(opts.signal), member, normalizeUnitName(name), opts);
  const unitFileState = async (name: string, opts?: CallOptions) => {
    try {
      const [state] = await call('GetUnitFileState', 's', [normalizeUnitName(name)], opts);
      return parseUnitFileState(state);
    } catch (error) {
      if (NO_UNIT_FILE.includes(dbusErrorName(error) ?? '')) return undefined;
      throw describeCallFailure(`GetUnitFileState ${name}`, error);
    }
  };

  return {
    unit(name, opts) {
      const unit = normalizeUnitName(name);
      return readUnit(unit, unitObjectPath(unit), opts);
    },
    async unitStates(names, opts) {
      const { bus } = await link(opts?.signal);
      return readUnitStates((message, callOptions) => bus.call(message, callOptions), names, opts);
    },
    async watchUnit(name, onChange, opts) {
      const unit = normalizeUnitName(name);
      const bus = await subscribe(opts?.signal);
      return watchUnitState({ bus, read: (path) => readUnit(unit, path) }, unit, onChange, opts);
    },
    startUnit: (name, opts) => runJob('StartUnit', name, opts),
    stopUnit: (name, opts) => runJob('StopUnit', name, opts),
    restartUnit: (name, opts) => runJob('RestartUnit', name, opts),
    async reload(opts = {}) {
      // A reload re-reads every unit file: give it longer than an ordinary call.
      await call('Reload', '', [], { timeoutMs: 30_000, ...opts }).catch((error: unknown) => {
        throw describeCallFailure('daemon-reload', error);
      });
    },
    unitFileState,
    async isEnabled(name, opts) {
      const state = await unitFileState(name, opts);
      return state !== undefined && ENABLED_STATES.includes(state);
    },
    async unitFileExists(name, opts) {
      if ((await unitFileState(name, opts)) !== undefined) return true;
      // Units outside the unit file search path (transient, loaded by path) only show in FragmentPath.
      const unit = await readUnit(normalizeUnitName(name), unitObjectPath(normalizeUnitName(name)), opts);
      return unit.loadState !== 'not-found' && unit.fragmentPath !== '';
    },
    async version(opts) {
      const [variant] = await call('Get', 'ss', [MANAGER, 'Version'], opts, MANAGER_PATH, PROPERTIES);
      const text = String((variant as { value?: unknown } | undefined)?.value ?? '');
      const major = /^(\d+)/.exec(text)?.[1];
      return { text, major: major ? Number(major) : undefined };
    },
    async close() {
      closed = true;
      const known = await current?.catch(() => undefined);
      current = undefined;
      known?.bus.close();
    },
  };
}
