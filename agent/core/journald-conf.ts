// journald's configuration as journald reads it, and the plan for making the journal persistent.
//
// Read order (journald.conf(5), systemd.syntax(7)): the main file first, then every `*.conf`
// drop-in of the journald.conf.d directories under /etc, /run, /usr/local/lib and /usr/lib,
// sorted by file name regardless of directory; a file name in an earlier directory hides the same
// name in the later ones (that is how /etc masks a vendor file, often with a link to /dev/null).
// For single-value settings like Storage= the last assignment read wins. systemd ≤ 253 reads only
// /etc/systemd/journald.conf as the main file; later versions take the first of the four that
// exists, which gives the same answer on hosts without a vendor main file.
import { compareCodeUnits } from './compare.js';

export type JournalStorage = 'auto' | 'volatile' | 'persistent' | 'none';

const STORAGE_VALUES: readonly string[] = ['auto', 'volatile', 'persistent', 'none'];

/** In order of precedence. */
export const JOURNALD_MAIN_FILES = [
  '/etc/systemd/journald.conf',
  '/run/systemd/journald.conf',
  '/usr/local/lib/systemd/journald.conf',
  '/usr/lib/systemd/journald.conf',
];
export const JOURNALD_DROPIN_DIRS = [
  '/etc/systemd/journald.conf.d',
  '/run/systemd/journald.conf.d',
  '/usr/local/lib/systemd/journald.conf.d',
  '/usr/lib/systemd/journald.conf.d',
];
export const EDGE_AGENT_JOURNALD_DROPIN = '/etc/systemd/journald.conf.d/50-edge-agent.conf';
/** Files here belong to the administrator (or a runtime tool), not to a vendor package. */
const ADMIN_PREFIXES = ['/etc/', '/run/'];

const MARKER = '# Written by edge-agent';

/** A configuration file that exists, with its text ('' for an empty file or a link to /dev/null). */
export interface ConfFile {
  path: string;
  text: string;
}

export interface Assignment {
  key: string;
  value: string;
  path: string;
  line: number;
}

export interface JournaldSettings {
  /** The last assignment of each key in [Journal], in read order. */
  values: Record<string, Assignment>;
  /** The effective Storage=: journald's compiled-in default 'auto' when nothing valid sets it. */
  storage: JournalStorage;
  /** Which file set it; undefined for the default. */
  storageSource?: Assignment;
  warnings: string[];
}

/** Pick the files journald reads, in its order, from every candidate that exists. */
export function orderJournaldFiles(existing: readonly ConfFile[]): ConfFile[] {
  const byPath = new Map(existing.map((f) => [f.path, f]));
  const main = JOURNALD_MAIN_FILES.map((p) => byPath.get(p)).find((f) => f !== undefined);
  const dropIns = new Map<string, ConfFile>();
  for (const dir of JOURNALD_DROPIN_DIRS) {
    for (const file of existing) {
      const name = file.path.slice(dir.length + 1);
      if (!file.path.startsWith(`${dir}/`) || name.includes('/') || !name.endsWith('.conf')) continue;
      if (!dropIns.has(name)) dropIns.set(name, file);
    }
  }
  const names = [...dropIns.keys()].sort(compareCodeUnits);
  return [...(main ? [main] : []), ...names.map((n) => dropIns.get(n) as ConfFile)];
}

/** Assignments in [Journal] of one file, the way systemd's config parser reads them. */
export function parseJournaldConf(file: ConfFile): { assignments: Assignment[]; warnings: string[] } {
  const assignments: Assignment[] = [];
  const warnings: string[] = [];
  let section: string | undefined;
  const lines = file.text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const number = i + 1;
    let line = (lines[i] ?? '').trim();
    // A trailing backslash continues the line (systemd joins with a space).
    while (line.endsWith('\\') && i + 1 < lines.length) line = `${line.slice(0, -1)} ${(lines[++i] ?? '').trim()}`;
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    if (line.startsWith('[')) {
      section = line.endsWith(']') ? line.slice(1, -1) : undefined;
      if (section === undefined) warnings.push(`${file.path}:${number}: invalid section header '${line}'`);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0) {
      warnings.push(`${file.path}:${number}: missing '=' in '${line}', ignored`);
      continue;
    }
    if (section !== 'Journal') {
      warnings.push(
        `${file.path}:${number}: ${section === undefined ? 'assignment outside of a section' : `unknown section [${section}]`}, ignored`,
      );
      continue;
    }
    assignments.push({
      key: line.slice(0, eq).trim(),
      value: line.slice(eq + 1).trim(),
      path: file.path,
      line: number,
    });
  }
  return { assignments, warnings };
}

/** What journald ends up with after reading `files` in order. */
export function effectiveJournaldSettings(files: readonly ConfFile[]): JournaldSettings {
  const values: Record<string, Assignment> = {};
  const warnings: string[] = [];
  let storageSource: Assignment | undefined;
  for (const file of files) {
    const parsed = parseJournaldConf(file);
    warnings.push(...parsed.warnings);
    for (const a of parsed.assignments) {
      if (a.key === 'Storage') {
        // journald logs an unknown (or empty) value and keeps what it had.
        if (!STORAGE_VALUES.includes(a.value)) {
          warnings.push(
            `${a.path}:${a.line}: Storage=${a.value} is not one of ${STORAGE_VALUES.join(', ')}; journald ignores it`,
          );
          continue;
        }
        storageSource = a;
      }
      values[a.key] = a;
    }
  }
  return { values, storage: (storageSource?.value as JournalStorage | undefined) ?? 'auto', storageSource, warnings };
}

/** Where journald writes with this setting: auto means /var only when /var/log/journal exists. */
export function storageTarget(storage: JournalStorage, varLogJournalExists: boolean): 'disk' | 'memory' | 'none' {
  if (storage === 'none') return 'none';
  if (storage === 'persistent' || (storage === 'auto' && varLogJournalExists)) return 'disk';
  return 'memory';
}

// journald's size syntax as our config accepts it: bytes, or K/M/G/T (base 1024).
const SIZE = /^(\d+)([KMGT]?)$/;
const UNIT_POWER: Record<string, number> = { '': 0, K: 1, M: 2, G: 3, T: 4 };

/** Bytes of a journald size such as 512M or 1G; undefined when it is not one, or is zero. */
export function parseJournaldSize(text: string): number | undefined {
  const match = SIZE.exec(text);
  if (!match) return undefined;
  const bytes = Number(match[1]) * 1024 ** (UNIT_POWER[match[2] ?? ''] ?? 0);
  return bytes > 0 && Number.isSafeInteger(bytes) ? bytes : undefined;
}

export interface JournalSizes {
  systemMaxUse: string;
  runtimeMaxUse: string;
}

export function renderJournaldDropIn(sizes: JournalSizes): string {
  return `${MARKER} (edge-agent journal persist). Do not edit: set journal.systemMaxUse and
# journal.runtimeMaxUse in /etc/edge-agent/config.yaml and run edge-agent journal persist.
# A persistent journal keeps the logs of a failed boot after greenboot rolls the update back
# (the setting MicroShift documents).
[Journal]
Storage=persistent
SystemMaxUse=${sizes.systemMaxUse}
RuntimeMaxUse=${sizes.runtimeMaxUse}
`;
}

export function isEdgeAgentDropIn(text: string): boolean {
  return text.startsWith(MARKER);
}

/** A file of someone else's that sets Storage= to something other than persistent. */
export interface StorageConflict {
  path: string;
  line: number;
  value: string;
  why: 'admin-setting' | 'overrides-ours' | 'not-ours';
}

export type PersistPlan =
  | {
      kind: 'write' | 'unchanged';
      text: string;
      /** Vendor files whose Storage= ours overrides. */ overrides: Assignment[];
    }
  | { kind: 'conflict'; conflicts: StorageConflict[] };

/**
 * Decide what `journal persist` does. Someone else's Storage= is never contradicted: an
 * administrator's file (/etc, /run, the main file) that says anything but persistent is a
 * conflict wherever it sorts, a vendor file under /usr only when it would still win over ours.
 * `existing` are all candidate files that exist, ours included when present.
 */
export function planJournalPersist(existing: readonly ConfFile[], sizes: JournalSizes): PersistPlan {
  const text = renderJournaldDropIn(sizes);
  const current = existing.find((f) => f.path === EDGE_AGENT_JOURNALD_DROPIN);
  if (current && !isEdgeAgentDropIn(current.text)) {
    const storage = effectiveJournaldSettings([current]).storageSource;
    return {
      kind: 'conflict',
      conflicts: [{ path: current.path, line: storage?.line ?? 0, value: storage?.value ?? '', why: 'not-ours' }],
    };
  }
  const planned = orderJournaldFiles([
    ...existing.filter((f) => f !== current),
    { path: EDGE_AGENT_JOURNALD_DROPIN, text },
  ]);
  const conflicts: StorageConflict[] = [];
  const overrides: Assignment[] = [];
  const winner = effectiveJournaldSettings(planned).storageSource;
  for (const file of planned) {
    if (file.path === EDGE_AGENT_JOURNALD_DROPIN) continue;
    const storage = effectiveJournaldSettings([file]).storageSource;
    if (!storage || storage.value === 'persistent') continue;
    if (ADMIN_PREFIXES.some((p) => file.path.startsWith(p)))
      conflicts.push({ path: file.path, line: storage.line, value: storage.value, why: 'admin-setting' });
    else if (winner?.path === file.path)
      conflicts.push({ path: file.path, line: storage.line, value: storage.value, why: 'overrides-ours' });
    else overrides.push(storage);
  }
  if (conflicts.length) return { kind: 'conflict', conflicts };
  return { kind: current?.text === text ? 'unchanged' : 'write', text, overrides };
}

export function describeConflict(c: StorageConflict): string {
  if (c.why === 'not-ours')
    return `${c.path} exists and was not written by edge-agent (it may mask our drop-in); edge-agent does not overwrite it`;
  const where = c.line ? `${c.path}:${c.line}` : c.path;
  const tail =
    c.why === 'overrides-ours'
      ? 'and is read after our drop-in, so it would win'
      : "and is the administrator's choice, which edge-agent does not override";
  return `${where} sets Storage=${c.value} ${tail}`;
}

/** Count boots in `journalctl --list-boots` output: JSON (systemd ≥ 250 with -o json) or the table. */
export function countListedBoots(stdout: string): number {
  const text = stdout.trim();
  if (text.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) return parsed.length;
    } catch {
      // fall through to the table form
    }
  }
  return text.split('\n').filter((l) => /^\s*-?\d+\s+[0-9a-f]{32}\b/.test(l)).length;
}
