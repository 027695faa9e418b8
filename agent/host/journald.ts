// journald on this host: its configuration files, where the journal is right now, and making it
// persistent (host-contracts §6): logs of the failed boots are gone after a rollback unless the
// journal is on disk. Decisions are in core/journald-conf.ts; this file reads and acts.
import {
  EDGE_AGENT_JOURNALD_DROPIN,
  JOURNALD_DROPIN_DIRS,
  JOURNALD_MAIN_FILES,
  countListedBoots,
  describeConflict,
  effectiveJournaldSettings,
  isEdgeAgentDropIn,
  orderJournaldFiles,
  planJournalPersist,
  renderJournaldDropIn,
  storageTarget,
  type ConfFile,
  type JournalSizes,
  type JournalStorage,
  type StorageConflict,
} from '../core/journald-conf.js';
import { HostError } from '../errors.js';
import { createBootFacts } from './system-facts.js';
import type { Host } from './host.js';
import type { Logger } from './log.js';

export const PERSISTENT_DIR = '/var/log/journal';
export const RUNTIME_DIR = '/run/log/journal';
const JOURNALD = 'systemd-journald.service';

export interface JournaldDeps {
  host: Host;
  log: Logger;
  signal?: AbortSignal;
}

export interface JournalDir {
  path: string;
  /** journald's open file: the journal is written here now. */
  active: boolean;
  files: number;
  bytes: number;
}

export interface JournalStatus {
  /** Effective Storage= and the file that set it (none: journald's default, auto). */
  storage: JournalStorage;
  storageSource?: { path: string; line: number };
  /** Where that setting puts the journal (auto: disk only when /var/log/journal exists). */
  configuredTarget: 'disk' | 'memory' | 'none';
  /** Where journald writes now: it may differ from the configuration until journald restarts. */
  location: 'disk' | 'memory' | 'none';
  machineId?: string;
  persistent: JournalDir;
  runtime: JournalDir;
  /** Bytes of journal files on disk and in memory (what `journalctl --disk-usage` counts). */
  diskUsageBytes: number;
  /** Boots journalctl knows about (undefined when it cannot be asked). */
  boots?: number;
  earlierBoots: boolean;
  dropIn: { path: string; present: boolean; ours: boolean; upToDate: boolean };
  systemMaxUse?: string;
  runtimeMaxUse?: string;
  /** Configuration files in the order journald reads them. */
  configFiles: string[];
  warnings: string[];
}

export type PersistResult =
  | {
      outcome: 'persistent';
      changed: boolean;
      restarted: boolean;
      createdDir: boolean;
      dropIn: string;
      journalDir: string;
      files: number;
      /** Vendor defaults our drop-in overrides, and soft problems on the way. */
      notes: string[];
    }
  | { outcome: 'conflict'; conflicts: StorageConflict[]; message: string }
  | { outcome: 'not-persistent'; changed: boolean; restarted: boolean; message: string }
  | { outcome: 'disabled'; message: string };

/** Every journald configuration file that exists (main files and drop-ins), unordered. */
export async function readJournaldFiles(host: Host): Promise<ConfFile[]> {
  const read = async (path: string): Promise<ConfFile | undefined> => {
    // A directory or unreadable entry is not a configuration file journald could read either.
    const text = await host.fs.readText(path).catch(() => undefined);
    return text === undefined ? undefined : { path, text };
  };
  const dropIns = await Promise.all(
    JOURNALD_DROPIN_DIRS.map(async (dir) =>
      (await host.fs.list(dir)).filter((n) => n.endsWith('.conf')).map((n) => `${dir}/${n}`),
    ),
  );
  const files = await Promise.all([...JOURNALD_MAIN_FILES, ...dropIns.flat()].map(read));
  return files.filter((f): f is ConfFile => f !== undefined);
}

async function readJournalDir(host: Host, path: string): Promise<JournalDir> {
  const names = (await host.fs.list(path)).filter((n) => n.endsWith('.journal') || n.endsWith('.journal~'));
  const infos = await Promise.all(names.map((n) => host.fs.info(`${path}/${n}`)));
  return {
    path,
    active: names.includes('system.journal'),
    files: names.length,
    bytes: infos.reduce((sum, i) => sum + (i?.isFile ? i.size : 0), 0),
  };
}

async function machineIdOf(host: Host): Promise<string | undefined> {
  return createBootFacts({ fs: host.fs, clock: host.clock }).machineId();
}

/** Where the journal is now. journald deletes the runtime files once it has flushed to /var. */
async function locate(host: Host, machineId: string | undefined) {
  const persistent = await readJournalDir(host, `${PERSISTENT_DIR}/${machineId ?? 'unknown'}`);
  const runtime = await readJournalDir(host, `${RUNTIME_DIR}/${machineId ?? 'unknown'}`);
  const location: JournalStatus['location'] = runtime.active ? 'memory' : persistent.active ? 'disk' : 'none';
  return { persistent, runtime, location };
}

export async function readJournalStatus(
  deps: Pick<JournaldDeps, 'host' | 'signal'>,
  sizes: JournalSizes,
): Promise<JournalStatus> {
  const { host } = deps;
  const existing = await readJournaldFiles(host);
  const ordered = orderJournaldFiles(existing);
  const settings = effectiveJournaldSettings(ordered);
  const machineId = await machineIdOf(host);
  const warnings = [...settings.warnings];
  if (!machineId)
    warnings.push(
      "/etc/machine-id is missing or not initialized: cannot tell where journald keeps this machine's journal",
    );
  const { persistent, runtime, location } = await locate(host, machineId);
  const ours = existing.find((f) => f.path === EDGE_AGENT_JOURNALD_DROPIN);
  // journalctl exits 1 with "No journal boot entry found" when there is nothing: zero boots.
  const listed = await host.exec
    .run('journalctl', ['--list-boots', '-o', 'json', '--no-pager', '-q'], { timeoutMs: 15_000, signal: deps.signal })
    .catch((error: unknown) => {
      warnings.push(`journalctl --list-boots: ${(error as Error).message}`);
      return undefined;
    });
  const boots = listed ? (listed.exitCode === 0 ? countListedBoots(listed.stdout) : 0) : undefined;
  return {
    storage: settings.storage,
    storageSource: settings.storageSource && { path: settings.storageSource.path, line: settings.storageSource.line },
    configuredTarget: storageTarget(settings.storage, await host.fs.exists(PERSISTENT_DIR)),
    location,
    machineId,
    persistent,
    runtime,
    diskUsageBytes: (await dirBytes(host, PERSISTENT_DIR)) + (await dirBytes(host, RUNTIME_DIR)),
    boots,
    earlierBoots: (boots ?? 0) > 1,
    dropIn: {
      path: EDGE_AGENT_JOURNALD_DROPIN,
      present: ours !== undefined,
      ours: ours !== undefined && isEdgeAgentDropIn(ours.text),
      upToDate: ours?.text === renderJournaldDropIn(sizes),
    },
    systemMaxUse: settings.values.SystemMaxUse?.value,
    runtimeMaxUse: settings.values.RuntimeMaxUse?.value,
    configFiles: ordered.map((f) => f.path),
    warnings,
  };
}

/** Journal files of every machine id under a journal root (old machine ids count too). */
async function dirBytes(host: Host, root: string): Promise<number> {
  const dirs = await host.fs.list(root);
  const sizes = await Promise.all(dirs.map(async (d) => (await readJournalDir(host, `${root}/${d}`)).bytes));
  return sizes.reduce((a, b) => a + b, 0);
}

/**
 * Make the journal persistent: our drop-in, /var/log/journal, a restart of journald (only when
 * something changed), `journalctl --flush`, then proof that journald writes under
 * /var/log/journal/<machine-id>. Someone else's Storage= is reported, never overwritten.
 */
export async function persistJournal(deps: JournaldDeps, sizes: JournalSizes): Promise<PersistResult> {
  const { host, log, signal } = deps;
  const plan = planJournalPersist(await readJournaldFiles(host), sizes);
  if (plan.kind === 'conflict') {
    const message = `journald is not made persistent: ${plan.conflicts.map(describeConflict).join('; ')}. Logs of failed boots will be lost after a rollback unless that is changed`;
    return { outcome: 'conflict', conflicts: plan.conflicts, message };
  }
  const notes = plan.overrides.map((o) => `overrides the vendor default Storage=${o.value} from ${o.path}`);
  const changed = plan.kind === 'write';
  if (changed) await host.fs.writeAtomic(EDGE_AGENT_JOURNALD_DROPIN, plan.text, 0o644);
  const createdDir = !(await host.fs.exists(PERSISTENT_DIR));
  if (createdDir) {
    await host.fs.mkdirp(PERSISTENT_DIR, 0o755);
    // Group systemd-journal and the ACLs that let its members read the journal (journald.conf(5)).
    if (host.root === '/') {
      const tmpfiles = await host.exec
        .run('systemd-tmpfiles', ['--create', '--prefix', PERSISTENT_DIR], { timeoutMs: 30_000, signal })
        .catch((e: unknown) => ({ exitCode: -1, stderr: (e as Error).message }));
      if (tmpfiles.exitCode !== 0)
        notes.push(
          `systemd-tmpfiles --create --prefix ${PERSISTENT_DIR} failed (${tmpfiles.stderr.trim()}); the next boot fixes the directory's group and ACLs`,
        );
    }
  }
  const machineId = await machineIdOf(host);
  if (!machineId)
    throw new HostError(
      'machine-id-missing',
      '/etc/machine-id is missing or not initialized: journald cannot keep a persistent journal without it',
    );
  const journalDir = `${PERSISTENT_DIR}/${machineId}`;
  let restarted = false;
  const restart = async () => {
    const systemd = await deps.host.systemd();
    const result = await systemd.restartUnit(JOURNALD, { signal, timeoutMs: 60_000 });
    if (result !== 'done')
      throw new HostError('journald-restart-failed', `restarting ${JOURNALD} ended with '${result}'`);
    restarted = true;
  };
  const flush = async () => {
    // --flush asks journald to move the runtime journal to /var and waits until it has.
    const result = await host.exec.run('journalctl', ['--flush'], { timeoutMs: 60_000, signal });
    if (result.exitCode !== 0) notes.push(`journalctl --flush exited ${result.exitCode}: ${result.stderr.trim()}`);
  };
  if (changed || createdDir) await restart();
  await flush();
  let where = await locate(host, machineId);
  if (where.location !== 'disk' && !restarted) {
    // Configured but not in effect (journald was never restarted after the drop-in appeared).
    await restart();
    await flush();
    where = await locate(host, machineId);
  }
  if (where.location !== 'disk') {
    const message = `journald still writes to ${where.location === 'memory' ? `${RUNTIME_DIR}/${machineId}` : 'no journal file'} after ${restarted ? 'a restart and ' : ''}a flush; see journalctl -u ${JOURNALD}`;
    return { outcome: 'not-persistent', changed, restarted, message };
  }
  if (changed)
    log.info(
      { dropIn: EDGE_AGENT_JOURNALD_DROPIN, journalDir },
      `Journal made persistent: wrote ${EDGE_AGENT_JOURNALD_DROPIN}, restarted ${JOURNALD}; logs are kept in ${journalDir}`,
    );
  return {
    outcome: 'persistent',
    changed,
    restarted,
    createdDir,
    dropIn: EDGE_AGENT_JOURNALD_DROPIN,
    journalDir,
    files: where.persistent.files,
    notes,
  };
}

/**
 * What the green step and the daemon call: honours `journal.ensurePersistent` and the configured
 * sizes, and logs what it could not do. A conflict is a result, not an exception. The D-Bus
 * connection is the Host's, shared with the rest of the run.
 */
export async function ensureJournalPersistent(
  deps: JournaldDeps & { config: { journal: { ensurePersistent: boolean } & JournalSizes } },
): Promise<PersistResult> {
  const { journal } = deps.config;
  if (!journal.ensurePersistent)
    return { outcome: 'disabled', message: 'journal.ensurePersistent is false: the journal is left as configured' };
  const result = await persistJournal(deps, {
    systemMaxUse: journal.systemMaxUse,
    runtimeMaxUse: journal.runtimeMaxUse,
  });
  if (result.outcome === 'conflict' || result.outcome === 'not-persistent') deps.log.warn(result.message);
  return result;
}
