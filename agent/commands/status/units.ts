// The units `status` decides from, read over D-Bus in one round of small calls: ListUnitsByNames
// for the states of all five, then UnitFileState and NRestarts where they matter. The systemd
// adapter's unit() reads every property of two interfaces (GetAll: about 300 values, with arrays
// of structs, for a service), which dbus-next takes ~5 ms per unit to unmarshal; status needs six
// values. (Proposal for host/systemd.ts: a unitStates(names) method doing this.)
import { failed, ok, WATCHED_UNITS, type Probe, type UnitFacts, type WatchedUnit } from '../../core/status/facts.js';
import { MANAGER, MANAGER_PATH, PROPERTIES, openSystemBus, type SystemBus } from '../../host/systemd-bus.js';
import type { Systemd } from '../../host/systemd.js';
import { describeFailure } from './limit.js';

export type UnitStates = Partial<Record<WatchedUnit, UnitFacts>>;

export interface UnitReader {
  read(signal: AbortSignal): Promise<Probe<UnitStates>>;
  close(): Promise<void>;
}

const UNIT = 'org.freedesktop.systemd1.Unit';
const SERVICE = 'org.freedesktop.systemd1.Service';
// Units whose unit file state status shows or decides from; restarts only matter for MicroShift.
const WITH_FILE_STATE: readonly WatchedUnit[] = ['healthcheck', 'microshift', 'daemon'];

export function createBusUnitReader(options: { address: string; timeoutMs: number }): UnitReader {
  let connecting: Promise<SystemBus> | undefined;
  const connect = async (signal: AbortSignal) => {
    const known = await connecting?.catch(() => undefined);
    if (known && !known.lost) return known;
    connecting = openSystemBus(options.address, { timeoutMs: options.timeoutMs, signal });
    return connecting;
  };
  return {
    async read(signal) {
      try {
        const bus = await connect(signal);
        const call = (path: string, iface: string, member: string, signature: string, body: unknown[]) =>
          bus.call({ path, iface, member, signature, body }, { signal, timeoutMs: options.timeoutMs });
        const get = async (path: string, iface: string, name: string) =>
          ((await call(path, PROPERTIES, 'Get', 'ss', [iface, name]))[0] as { value?: unknown } | undefined)?.value;
        const entries = Object.entries(WATCHED_UNITS) as [WatchedUnit, string][];
        const [rows] = (await call(MANAGER_PATH, MANAGER, 'ListUnitsByNames', 'as', [
          entries.map(([, name]) => name),
        ])) as [unknown[][]];
        const states = await Promise.all(
          entries.map(async ([key, name], i): Promise<[WatchedUnit, UnitFacts]> => {
            const [, , loadState, activeState, subState, , path] = (rows[i] ?? []) as string[];
            const facts: UnitFacts = {
              loadState: loadState ?? 'unknown',
              activeState: activeState ?? 'unknown',
              subState: subState ?? '',
              unitFileState: '',
            };
            if (!path || facts.loadState === 'not-found') return [key, facts];
            const [fileState, restarts] = await Promise.all([
              WITH_FILE_STATE.includes(key) ? get(path, UNIT, 'UnitFileState') : undefined,
              key === 'microshift' && name.endsWith('.service') ? get(path, SERVICE, 'NRestarts') : undefined,
            ]);
            return [
              key,
              {
                ...facts,
                unitFileState: typeof fileState === 'string' ? fileState : '',
                nRestarts: typeof restarts === 'number' ? restarts : undefined,
              },
            ];
          }),
        );
        return ok(Object.fromEntries(states));
      } catch (error) {
        const why = describeFailure('systemd (D-Bus)', error);
        return why.state === 'ok' ? why : failed(why.state, why.note);
      }
    },
    async close() {
      const known = await connecting?.catch(() => undefined);
      connecting = undefined;
      known?.close();
    },
  };
}

/** The same from the systemd adapter (tests give status a FakeSystemd this way). */
export function unitReaderFromSystemd(systemd: () => Promise<Systemd>): UnitReader {
  return {
    async read(signal) {
      try {
        const s = await systemd();
        const entries = Object.entries(WATCHED_UNITS) as [WatchedUnit, string][];
        const states = await Promise.all(
          entries.map(async ([key, name]): Promise<[WatchedUnit, UnitFacts]> => {
            const u = await s.unit(name, { signal });
            return [
              key,
              {
                loadState: u.loadState,
                activeState: u.activeState,
                subState: u.subState,
                unitFileState: u.unitFileState,
                nRestarts: u.nRestarts,
              },
            ];
          }),
        );
        return ok(Object.fromEntries(states));
      } catch (error) {
        const why = describeFailure('systemd (D-Bus)', error);
        return why.state === 'ok' ? why : failed(why.state, why.note);
      }
    },
    async close() {
      await (await systemd().catch(() => undefined))?.close();
    },
  };
}
