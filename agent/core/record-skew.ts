// Reading a record that a newer edge-agent wrote (the rolled-back agent reads what the update's
// agent left): values this version cannot read (a verdict it does not know, a field whose type
// changed) are lifted out, one at a time, until the rest reads with this version's schema. They
// are kept beside the record, shown as "written by a newer edge-agent", and put back when the
// record is written again, unless the writer set that field itself. Pure: no I/O.

export type SkewPath = (string | number)[];

export interface NewerValue {
  /** Where the value sits in the record as written. */
  path: SkewPath;
  value: unknown;
  /** What this version read in its place (restored only while the field still holds this). */
  readAs: unknown;
}

/** What parseKeepingNewer needs of a schema: zod's safeParse (classic or mini). */
export interface SafeParser<T> {
  safeParse(
    data: unknown,
  ): { success: true; data: T } | { success: false; error: { issues: readonly { path: readonly PropertyKey[] }[] } };
}

/** Parse leniently; undefined when nothing readable is left (no boot id, or not an object). */
export function parseKeepingNewer<T>(
  schema: SafeParser<T>,
  data: unknown,
  isRecord: (data: Record<string, unknown>) => boolean,
): { value: T; newer: NewerValue[] } | undefined {
  if (!isObject(data) || !isRecord(data)) return undefined;
  const input = structuredClone(data);
  const lifted: { path: SkewPath; value: unknown }[] = [];
  // Each lift can shift array indices, so one per pass; a record has a handful of fields.
  for (let pass = 0; pass < 200; pass++) {
    const result = schema.safeParse(input);
    if (result.success) {
      const newer = lifted.map((l) => ({ ...l, readAs: structuredClone(valueAt(result.data, l.path)) }));
      return { value: result.data, newer };
    }
    const issue = result.error.issues[0];
    const path = issue ? unitOf(input, issue.path as SkewPath) : [];
    if (path.length === 0) return undefined;
    lifted.push({ path, value: valueAt(input, path) });
    removeAt(input, path);
    if (!isRecord(input)) return undefined;
  }
  return undefined;
}

/** Put lifted values back into a record about to be written (latest lift first). */
export function restoreNewer(record: Record<string, unknown>, newer: readonly NewerValue[]): void {
  for (const n of [...newer].reverse()) {
    const parent = valueAt(record, n.path.slice(0, -1));
    const key = n.path.at(-1) as string | number;
    if (Array.isArray(parent) && typeof key === 'number') {
      parent.splice(Math.min(key, parent.length), 0, structuredClone(n.value));
    } else if (isObject(parent) && sameJson(parent[key as string], n.readAs)) {
      parent[key as string] = structuredClone(n.value);
    }
  }
}

/** One line for people: `verdict: "amber"; checks.required.results[0]: {...}` (values cut short). */
export function describeNewer(newer: readonly NewerValue[]): string {
  return newer
    .map((n) => `${formatPath(n.path, n.value)}: ${short(JSON.stringify(n.value) ?? 'undefined')}`)
    .join('; ');
}

/** `written by a newer edge-agent (verdict: "amber")`, or undefined when nothing was set aside. */
export function newerNote(newer: readonly NewerValue[]): string | undefined {
  return newer.length > 0 ? `written by a newer edge-agent (${describeNewer(newer)})` : undefined;
}

/** An array element that has an id is named by it: indices shift as elements are set aside. */
export function formatPath(path: SkewPath, value?: unknown): string {
  const id = isObject(value) && typeof value.id === 'string' ? value.id : undefined;
  return path
    .map((p, i) =>
      typeof p === 'number'
        ? i === path.length - 1 && id !== undefined
          ? `[id=${id}]`
          : `[${p}]`
        : i === 0
          ? p
          : `.${p}`,
    )
    .join('');
}

/**
 * The smallest unit to lift for an issue: an element of an array as a whole (so indices of the
 * others stay meaningful), a field that is there, or the object that lacks a required field.
 */
function unitOf(input: unknown, issuePath: SkewPath): SkewPath {
  const lastIndex = issuePath.findLastIndex((p) => typeof p === 'number');
  if (lastIndex >= 0) return issuePath.slice(0, lastIndex + 1);
  let path = issuePath;
  while (path.length > 0 && valueAt(input, path) === undefined) path = path.slice(0, -1);
  return path;
}

function valueAt(root: unknown, path: SkewPath): unknown {
  let at: unknown = root;
  for (const key of path) {
    if (Array.isArray(at) && typeof key === 'number') at = at[key];
    else if (isObject(at)) at = at[key as string];
    else return undefined;
  }
  return at;
}

function removeAt(root: unknown, path: SkewPath): void {
  const parent = valueAt(root, path.slice(0, -1));
  const key = path.at(-1) as string | number;
  if (Array.isArray(parent) && typeof key === 'number') parent.splice(key, 1);
  else if (isObject(parent)) delete parent[key as string];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const short = (text: string) => (text.length > 60 ? `${text.slice(0, 57)}...` : text);
