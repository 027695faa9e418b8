// The simulator's object store: resourceVersions, a bounded change history and watchers.
//
// What it simulates: the part of etcd + the watch cache that clients see: one cluster-wide,
// increasing resourceVersion; each changed object gets a new one; watches can resume from a
// resourceVersion still in the history and get `410 Expired` otherwise (client-node's ListWatch
// then lists again). Versions start at the process's start time in ms so they keep increasing
// across simulator restarts, as a client that outlives a MicroShift restart expects. What it
// leaves out: writes, label selectors, bookmarks, pagination (`limit`/`continue`).
import type { Entry, KubeObject, Resource } from './world.js';

export type WatchType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface Change {
  type: WatchType;
  resource: Resource;
  object: KubeObject;
  rv: number;
}

const historyLimit = 5000;

export class ObjectStore {
  private rv: number;
  private readonly firstRv: number;
  private readonly objects = new Map<string, { entry: Entry; body: string }>();
  private readonly history: Change[] = [];
  private readonly watchers = new Set<(change: Change) => void>();

  constructor(initialRv = Date.now()) {
    this.rv = initialRv;
    this.firstRv = initialRv;
  }

  get resourceVersion(): string {
    return String(this.rv);
  }

  /** Make the store hold exactly `entries`, recording what was added, changed or removed. */
  replaceAll(entries: Entry[]): Change[] {
    const changes: Change[] = [];
    const seen = new Set<string>();
    for (const entry of entries) {
      const key = keyOf(entry.resource, entry.object.metadata.namespace, entry.object.metadata.name);
      seen.add(key);
      const body = JSON.stringify(entry.object);
      const previous = this.objects.get(key);
      if (previous?.body === body) continue;
      changes.push(this.record(previous ? 'MODIFIED' : 'ADDED', key, entry, body));
    }
    for (const [key, { entry, body }] of this.objects) {
      if (!seen.has(key)) changes.push(this.record('DELETED', key, entry, body));
    }
    return changes;
  }

  list(resource: Resource, namespace?: string, name?: string): KubeObject[] {
    const out: KubeObject[] = [];
    for (const { entry } of this.objects.values()) {
      if (matches(entry.resource, entry.object, resource, namespace, name)) out.push(entry.object);
    }
    return out.sort((a, b) =>
      `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(
        `${b.metadata.namespace ?? ''}/${b.metadata.name}`,
      ),
    );
  }

  get(resource: Resource, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.objects.get(keyOf(resource, namespace, name))?.entry.object;
  }

  /** Changes after `rv`, or `undefined` when that version is older than the history kept. */
  changesSince(rv: number): Change[] | undefined {
    const oldest = this.history[0]?.rv ?? this.rv + 1;
    if (rv < this.firstRv || rv < oldest - 1) return undefined;
    return this.history.filter((c) => c.rv > rv);
  }

  subscribe(listener: (change: Change) => void): () => void {
    this.watchers.add(listener);
    return () => this.watchers.delete(listener);
  }

  private record(type: WatchType, key: string, entry: Entry, body: string): Change {
    this.rv += 1;
    const object = { ...entry.object, metadata: { ...entry.object.metadata, resourceVersion: String(this.rv) } };
    if (type === 'DELETED') this.objects.delete(key);
    else this.objects.set(key, { entry: { resource: entry.resource, object }, body });
    const change: Change = { type, resource: entry.resource, object, rv: this.rv };
    this.history.push(change);
    if (this.history.length > historyLimit) this.history.splice(0, this.history.length - historyLimit);
    for (const watcher of this.watchers) watcher(change);
    return change;
  }
}

export function matches(
  resource: Resource,
  object: KubeObject,
  wanted: Resource,
  namespace?: string,
  name?: string,
): boolean {
  if (resource !== wanted) return false;
  if (namespace !== undefined && object.metadata.namespace !== namespace) return false;
  return name === undefined || object.metadata.name === name;
}

function keyOf(resource: Resource, namespace: string | undefined, name: string): string {
  return `${resource}/${namespace ?? ''}/${name}`;
}
