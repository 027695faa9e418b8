// What the runnable checks use from the host. Costly clients are created on first use and shared
// by every check of the run (one D-Bus connection, one Kubernetes client).
import type { Clock } from '../clock.js';
import type { Exec } from '../exec.js';
import type { HostFs } from '../fs.js';
import type { Logger } from '../log.js';
import type { MicroShiftApi } from '../microshift-api.js';
import type { Systemd } from '../systemd.js';

export interface CheckDeps {
  clock: Clock;
  exec: Exec;
  fs: HostFs;
  log: Logger;
  systemd: () => Promise<Systemd>;
  microshift: () => Promise<MicroShiftApi>;
}

export interface Lazy<T> {
  (): Promise<T>;
  /** The client if it was created (so closing never creates one). */
  current(): Promise<T> | undefined;
}

/** Memoise an async factory; a failed attempt is retried on the next call. */
export function lazy<T>(create: () => Promise<T>): Lazy<T> {
  let pending: Promise<T> | undefined;
  const get = () => {
    pending ??= create().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
  return Object.assign(get, { current: () => pending });
}

/** Close the clients that were created, without waiting long for any of them. */
export async function closeCreated(...clients: Lazy<{ close(): unknown }>[]): Promise<void> {
  for (const client of clients) {
    const created = client.current();
    if (!created) continue;
    await Promise.race([created.then((c) => c.close()), new Promise((resolve) => setTimeout(resolve, 500))]).catch(
      () => undefined,
    );
  }
}
