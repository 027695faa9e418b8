// Watching one unit, event-driven. systemd sends PropertiesChanged separately for the Unit and
// the type interface (NRestarts lives on Service) and often repeats an identical one; repeats
// are dropped, anything new triggers a full re-read. Re-reads run one at a time and a change
// seen during a read queues exactly one more, so callers always end on the latest state and
// never see it go backwards (a transition shorter than one round trip may be folded into the next).
import { MANAGER, MANAGER_PATH, PROPERTIES, type SystemBus } from './systemd-bus.js';
import type { UnitState } from './systemd-unit.js';

export interface WatchOptions {
  /** Aborting stops the watch, like calling the returned function. */
  signal?: AbortSignal;
  /** A re-read failed (timeout: the next change reads again) or the connection was lost (the
   * watch is over: watch again to resume). */
  onError?: (error: unknown) => void;
}

export interface WatchDeps {
  /** A connection that has called Manager.Subscribe: systemd sends unit signals only to subscribers. */
  bus: SystemBus;
  read: (path: string) => Promise<UnitState>;
}

export async function watchUnitState(
  deps: WatchDeps,
  name: string,
  onChange: (state: UnitState) => void,
  options: WatchOptions = {},
): Promise<() => Promise<void>> {
  const { bus } = deps;
  const { signal } = options;
  // LoadUnit answers with the path of the unit's real name: signals of an alias come from there.
  const [path] = (await bus.call(
    { path: MANAGER_PATH, iface: MANAGER, member: 'LoadUnit', signature: 's', body: [name] },
    { signal },
  )) as [string];
  const filter = { path, iface: PROPERTIES, member: 'PropertiesChanged' };
  let closed = false;
  let again = false;
  let loop: Promise<void> | undefined;
  let lastEmitted: string | undefined;
  const lastSignal = new Map<string, string>();

  const refresh = (): Promise<void> => {
    if (loop) {
      again = true;
      return loop;
    }
    loop = (async () => {
      try {
        do {
          again = false;
          const state = await deps.read(path);
          const key = JSON.stringify(state);
          if (closed || key === lastEmitted) continue;
          lastEmitted = key;
          onChange(state);
        } while (again && !closed);
      } finally {
        loop = undefined;
      }
    })();
    return loop;
  };

  const unlisten = bus.listen(filter, (body) => {
    const [iface, changed, invalidated] = body;
    const key = JSON.stringify([changed, invalidated], (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    if (lastSignal.get(String(iface)) === key) return;
    lastSignal.set(String(iface), key);
    if (loop) {
      again = true;
      return;
    }
    refresh().catch((error: unknown) => {
      if (!closed) options.onError?.(error);
    });
  });
  let removeMatch: () => Promise<void>;
  try {
    removeMatch = await bus.addMatch(filter, { signal });
  } catch (error) {
    unlisten();
    throw error;
  }
  const stopLost = bus.onLost((error) => {
    if (!closed) options.onError?.(error);
  });
  const stop = async () => {
    if (closed) return;
    closed = true;
    signal?.removeEventListener('abort', onAbort);
    stopLost();
    unlisten();
    await removeMatch();
  };
  const onAbort = () => void stop();
  signal?.addEventListener('abort', onAbort, { once: true });
  // The first state, read after the match is in place so no change can slip between the two.
  try {
    await refresh();
  } catch (error) {
    await stop();
    throw error;
  }
  return stop;
}
