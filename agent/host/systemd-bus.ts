// One connection to the system bus, used by the systemd adapter. dbus-next gives neither call
// timeouts nor cancellation and leaves calls pending forever when the connection drops, so every
// call here races its reply against a timer, the caller's signal and the loss of the connection.
import dbus from 'dbus-next';
import type { Message, MessageBus } from 'dbus-next';
import type { EventEmitter } from 'node:events';
import { HostError } from '../errors.js';

export const SYSTEMD = 'org.freedesktop.systemd1';
export const MANAGER_PATH = '/org/freedesktop/systemd1';
export const MANAGER = 'org.freedesktop.systemd1.Manager';
export const PROPERTIES = 'org.freedesktop.DBus.Properties';

export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface MethodCall {
  destination?: string;
  path: string;
  iface: string;
  member: string;
  signature?: string;
  body?: unknown[];
}

export interface SignalFilter {
  path: string;
  iface: string;
  member: string;
}

export interface SystemBus {
  /** The reply's body. D-Bus errors reject with dbus-next's DBusError (see `dbusErrorName`). */
  call(call: MethodCall, options?: CallOptions): Promise<unknown[]>;
  /** Deliver matching signals (in wire order) to `listener`; returns the removal. */
  listen(filter: SignalFilter, listener: (body: unknown[]) => void): () => void;
  /** Ask the bus to route systemd's signals on this filter to us; returns the removal. */
  addMatch(filter: SignalFilter, options?: CallOptions): Promise<() => Promise<void>>;
  /** Called once if the connection is lost (not after close()); returns the removal. */
  onLost(listener: (error: HostError) => void): () => void;
  readonly lost: boolean;
  close(): void;
}

export function dbusErrorName(error: unknown): string | undefined {
  return error instanceof dbus.DBusError ? error.type : undefined;
}

/** Keep HostErrors (timeouts, bus gone) as they are; say which call systemd refused and why. */
export function describeCallFailure(what: string, error: unknown): unknown {
  const name = dbusErrorName(error);
  if (!name) return error;
  const code =
    name === 'org.freedesktop.systemd1.NoSuchUnit'
      ? 'unit-not-found'
      : name === 'org.freedesktop.systemd1.UnitMasked'
        ? 'unit-masked'
        : 'systemd-refused';
  return new HostError(code, `${what}: ${(error as Error).message} (${name})`, { cause: error });
}

export async function openSystemBus(
  address: string,
  options: Required<Pick<CallOptions, 'timeoutMs'>> & CallOptions,
): Promise<SystemBus> {
  const defaultTimeoutMs = options.timeoutMs;
  let bus: MessageBus;
  try {
    bus = dbus.sessionBus({ busAddress: address });
  } catch (error) {
    throw new HostError('dbus-unavailable', `bad D-Bus address ${address}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  let lostReason: unknown;
  let closing = false;
  const onLost = new Set<(reason: unknown) => void>();
  const lose = (reason: unknown) => {
    if (lostReason !== undefined) return;
    lostReason = reason ?? new Error('connection closed');
    for (const fn of onLost) {
      try {
        fn(lostReason);
      } catch {
        // one listener's mistake must not keep the others from hearing of the loss
      }
    }
  };
  // An 'error' without a listener would crash the process; after a loss we only record it.
  bus.on('error', lose);
  // dbus-next does not forward the end of its stream: without this a peer that closes the
  // connection would only be noticed by the next call's timeout.
  (bus as unknown as { _connection?: EventEmitter })._connection?.on('end', () =>
    lose(new Error('the bus closed the connection')),
  );

  const unavailable = (reason: unknown) =>
    new HostError(
      'dbus-unavailable',
      `D-Bus at ${address} is not reachable: ${(reason as Error)?.message ?? String(reason)}`,
      { cause: reason, retryable: true },
    );

  const race = <T>(work: Promise<T>, what: string, { signal, timeoutMs = defaultTimeoutMs }: CallOptions): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (lostReason !== undefined) return reject(unavailable(lostReason));
      if (signal?.aborted) return reject(signal.reason);
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        onLost.delete(onLose);
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new HostError('dbus-timeout', `${what}: no answer from D-Bus within ${timeoutMs} ms`, { retryable: true }),
        );
      }, timeoutMs);
      const onAbort = () => {
        done();
        reject(signal?.reason);
      };
      const onLose = (reason: unknown) => {
        done();
        reject(unavailable(reason));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      onLost.add(onLose);
      work.then(
        (value) => {
          done();
          resolve(value);
        },
        (error: unknown) => {
          done();
          reject(error);
        },
      );
    });

  try {
    await race(new Promise<void>((resolve) => bus.once('connect', () => resolve())), `connect to ${address}`, options);
  } catch (error) {
    bus.disconnect();
    throw error;
  }

  const listeners = new Set<{ filter: SignalFilter; listener: (body: unknown[]) => void }>();
  bus.on('message', (msg: Message) => {
    if (msg.type !== dbus.MessageType.SIGNAL) return;
    for (const entry of listeners) {
      const f = entry.filter;
      if (f.path === msg.path && f.iface === msg.interface && f.member === msg.member) entry.listener(msg.body);
    }
  });

  const call: SystemBus['call'] = async (c, callOptions = {}) => {
    const message = new dbus.Message({
      destination: c.destination ?? SYSTEMD,
      path: c.path,
      interface: c.iface,
      member: c.member,
      signature: c.signature ?? '',
      body: c.body ?? [],
    });
    const reply = await race(bus.call(message), `${c.iface.split('.').pop()}.${c.member}`, callOptions);
    return reply?.body ?? [];
  };

  // Several watchers may need the same rule: the bus gets it once, counted here.
  const matches = new Map<string, { count: number; added: Promise<unknown> }>();
  const busCall = (member: string, rule: string, callOptions: CallOptions) =>
    call(
      {
        destination: 'org.freedesktop.DBus',
        path: '/org/freedesktop/DBus',
        iface: 'org.freedesktop.DBus',
        member,
        signature: 's',
        body: [rule],
      },
      callOptions,
    );

  return {
    call,
    listen(filter, listener) {
      const entry = { filter, listener };
      listeners.add(entry);
      return () => void listeners.delete(entry);
    },
    async addMatch(filter, callOptions = {}) {
      const rule = `type='signal',sender='${SYSTEMD}',path='${filter.path}',interface='${filter.iface}',member='${filter.member}'`;
      let entry = matches.get(rule);
      if (!entry) {
        entry = { count: 0, added: busCall('AddMatch', rule, callOptions) };
        matches.set(rule, entry);
        entry.added.catch(() => matches.delete(rule));
      }
      entry.count += 1;
      const counted = entry;
      try {
        await counted.added;
      } catch (error) {
        counted.count -= 1;
        throw error;
      }
      let removed = false;
      return async () => {
        if (removed) return;
        removed = true;
        counted.count -= 1;
        if (counted.count > 0 || matches.get(rule) !== counted) return;
        matches.delete(rule);
        if (lostReason === undefined) await busCall('RemoveMatch', rule, {}).catch(() => undefined);
      };
    },
    onLost(listener) {
      const fn = (reason: unknown) => {
        if (!closing) listener(unavailable(reason));
      };
      onLost.add(fn);
      return () => void onLost.delete(fn);
    },
    get lost() {
      return lostReason !== undefined;
    },
    close() {
      closing = true;
      listeners.clear();
      lose(new Error('closed'));
      bus.disconnect();
    },
  };
}
