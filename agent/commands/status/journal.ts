// The journal for `status`. journald.ts's readJournalStatus (behind `edge-agent journal status`)
// counts boots with `journalctl --list-boots`, which reads every journal file: slow on a big
// journal, and the spawn alone is a good part of status's cold-start budget. The count can only
// change at boot, when journald archives a file (rotation) or deletes one (vacuum), so status
// asks journalctl once and keeps the count in /run until the boot or the set of archived files
// changes. The rest (Storage=, where journald writes, disk use) is read from files each time.
// (Proposal for journald.ts: export its locate()/dirBytes() or take { listBoots: false }, so this
// file need not repeat them.)
import { effectiveJournaldSettings, orderJournaldFiles, type JournalSizes } from '../../core/journald-conf.js';
import { ok, type JournalFacts, type Probe } from '../../core/status/facts.js';
import { createBootFacts } from '../../host/system-facts.js';
import type { Host } from '../../host/host.js';
import { PERSISTENT_DIR, RUNTIME_DIR, readJournalStatus, readJournaldFiles } from '../../host/journald.js';

export const JOURNAL_BOOTS_CACHE = '/run/edge-agent/journal-boots.json';

interface Listing {
  /** Machine-id directories: path -> journal file names. */
  dirs: Map<string, string[]>;
  bytes: number;
}

export async function readStatusJournal(
  host: Host,
  sizes: JournalSizes,
  options: { bootId: string | undefined; signal: AbortSignal; writeCache: boolean },
): Promise<Probe<JournalFacts>> {
  const [files, machineId, persistent, runtime] = await Promise.all([
    readJournaldFiles(host),
    createBootFacts({ fs: host.fs, clock: host.clock }).machineId(),
    listJournal(host, PERSISTENT_DIR),
    listJournal(host, RUNTIME_DIR),
  ]);
  const storage = effectiveJournaldSettings(orderJournaldFiles(files)).storage;
  const active = (listing: Listing) => listing.dirs.get(machineId ?? '')?.includes('system.journal') === true;
  const location = active(runtime) ? 'memory' : active(persistent) ? 'disk' : 'none';
  const facts: JournalFacts = { storage, location, diskUsageBytes: persistent.bytes + runtime.bytes };
  // journalctl shows an ordinary user only the journals that user may read: no count then.
  if (!host.isRoot || !options.bootId) return ok(facts);
  const archived = [...persistent.dirs.values(), ...runtime.dirs.values()]
    .flat()
    .filter((n) => n.includes('@'))
    .sort();
  const key = `${options.bootId} ${archived.join(' ')}`;
  const cached = await readCachedBoots(host, key);
  if (cached !== undefined) return ok({ ...facts, boots: cached, earlierBoots: cached > 1 });
  const full = await readJournalStatus({ host, signal: options.signal }, sizes);
  // An aborted journalctl reports no boots, which is not the same as none.
  if (options.signal.aborted || full.boots === undefined) return ok(facts);
  if (options.writeCache)
    await host.fs
      .writeAtomic(JOURNAL_BOOTS_CACHE, `${JSON.stringify({ key, boots: full.boots })}\n`, 0o644)
      .catch(() => undefined);
  return ok({ ...facts, boots: full.boots, earlierBoots: full.boots > 1 });
}

async function listJournal(host: Host, root: string): Promise<Listing> {
  const listing: Listing = { dirs: new Map(), bytes: 0 };
  for (const dir of await host.fs.list(root).catch(() => [] as string[])) {
    const names = (await host.fs.list(`${root}/${dir}`).catch(() => [] as string[])).filter(
      (n) => n.endsWith('.journal') || n.endsWith('.journal~'),
    );
    listing.dirs.set(dir, names);
    const infos = await Promise.all(names.map((n) => host.fs.info(`${root}/${dir}/${n}`).catch(() => undefined)));
    listing.bytes += infos.reduce((sum, i) => sum + (i?.isFile ? i.size : 0), 0);
  }
  return listing;
}

async function readCachedBoots(host: Host, key: string): Promise<number | undefined> {
  try {
    const data = JSON.parse((await host.fs.readText(JOURNAL_BOOTS_CACHE)) ?? 'null') as {
      key?: unknown;
      boots?: unknown;
    } | null;
    return data?.key === key && typeof data.boots === 'number' ? data.boots : undefined;
  } catch {
    return undefined;
  }
}
