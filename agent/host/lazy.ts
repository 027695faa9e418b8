// Clients that cost something to create (a D-Bus connection, the MicroShift API's connection, a module that
// pulls in a package) are made on first use, shared by everyone who asks, and closed at the end
// only if they were ever made.
import { raceDeadline } from '../core/deadline.js';
import { systemClock } from './clock.js';

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
    await raceDeadline(Promise.resolve(created.then((c) => c.close())), {
      clock: systemClock,
      ms: 500,
      onTimeout: () => undefined,
    }).catch(() => undefined);
  }
}
