// The daemon's scheduled work, one method per task. Each reads the truth sources (records,
// rpm-ostree, the journal settings, a dry run of the checks) and passes what changed to the hub
// sink, the MOTD line and /run/edge-agent/daemon.json. Runtime health is informational: it never
// changes a boot verdict.
import { deviceStatus, pendingEvents, shortRef, type StatusFacts } from '../core/hub-report.js';
import { DAEMON_STATE_PATH, type DaemonStateFile } from '../core/daemon-state.js';
import { summaryLine } from '../core/status-summary.js';
import type { Deps } from '../commands/types.js';
import type { Hub } from '../hub/hub.js';
import { version } from '../version.js';
import { gatherBootContext, type BootContext } from './boot-context.js';
import { noteBoot } from './boot-history.js';
import type { BootRecords } from './boot-records.js';
import { ensureJournalPersistent } from './journald.js';
import { writeMotd } from './motd.js';
import { createRpmOstree } from './rpm-ostree.js';
import type { Systemd } from './systemd.js';

export interface DaemonTaskDeps extends Deps {
  systemd: () => Promise<Systemd>;
  records: BootRecords;
  hub?: Hub;
  /** The bundle entry, to run `check --dry-run` in a child process (keeps the daemon small). */
  cliPath: string;
}

export function createDaemonTasks(deps: DaemonTaskDeps) {
  const { host, config, log, records, hub } = deps;
  const startedAt = new Date(host.clock.now()).toISOString();
  let context: BootContext | undefined;
  const facts: StatusFacts = {};
  let lastStaged: string | undefined;
  let lastReportAt: string | undefined;

  const publish = async () => {
    hub?.sink.publishStatus(deviceStatus(facts));
    const r = facts.record;
    const line = summaryLine({ state: r?.verdict ?? (r?.checks.required ? 'checking' : 'unknown'), deployment: r?.deployment, attempt: r?.greenboot?.attempt, attempts: r?.greenboot?.attempts, failure: r?.firstFailure });
    await writeMotd({ fs: host.fs, clock: host.clock }, line).catch((error: Error) => log.debug(`motd: ${error.message}`));
  };

  const tasks = {
    statusLine(): string {
      const verdict = facts.record?.verdict ?? 'checking';
      if (!hub) return `boot ${verdict}, no hub configured`;
      const s = hub.sink.state();
      return `boot ${verdict}, hub ${s.connected ? 'connected' : 'offline'}, ${hub.outbox.size().events} queued`;
    },
    /** Open this boot's record (rollback detection) and report what is pending. */
    async boot() {
      context = await gatherBootContext(config, { fs: host.fs, exec: host.exec, clock: host.clock, systemd: deps.systemd }, deps.signal);
      const noted = await noteBoot(records, host.clock, log, { bootId: context.bootId, deployments: context.deployments });
      facts.record = noted.record;
      facts.staged = noted.record.staged;
      lastStaged = noted.record.staged?.checksum;
      facts.lastRollback = (await records.list()).find((r) => r.rollback)?.rollback;
      await tasks.journal();
      await tasks.report();
      await tasks.writeState();
    },
    /** Queue the events of this boot's record that the hub has not had yet. */
    async report() {
      if (!context) return;
      const record = await records.read(context.bootId);
      if (!record) return;
      facts.record = record;
      if (record.rollback) facts.lastRollback = record.rollback;
      const pending = hub ? pendingEvents(record) : [];
      for (const event of pending) await hub?.sink.report(event.type, event.body as never);
      if (pending.length > 0) {
        await records.update(context.bootId, (r) => {
          r.hubReported = [...new Set([...(r.hubReported ?? []), ...pending.map((e) => e.mark)])];
        });
        lastReportAt = new Date(host.clock.now()).toISOString();
      }
      await publish();
    },
    /** A newly staged deployment is reported once. */
    async updates() {
      const set = await createRpmOstree({ exec: host.exec }).status({ signal: deps.signal, timeoutMs: 20_000 });
      const staged = set?.staged;
      facts.staged = staged ? { checksum: staged.checksum, version: staged.version } : undefined;
      if (staged && staged.checksum !== lastStaged) {
        log.info({ event: 'update-staged', deployment: staged.checksum }, `Update staged for the next boot: ${staged.version ?? staged.checksum.slice(0, 7)}`);
        const ref = shortRef({ checksum: staged.checksum, version: staged.version });
        if (hub && ref) await hub.sink.report('update-staged', { deployment: ref });
      }
      lastStaged = staged?.checksum;
      await publish();
    },
    /** The checks, run now as a dry run in a child process: informational, never a verdict. */
    async health() {
      const result = await host.exec.run(process.execPath, [deps.cliPath, 'check', '--dry-run', '--json', '--class', 'required', '--timeout', '30'], {
        timeoutMs: 60_000,
        signal: deps.signal,
        // The child's progress lines would repeat in the journal every interval: warnings only.
        env: { EDGE_AGENT_LOG_LEVEL: 'warn' },
      });
      // Exit 0 or 1 both carry a result object; anything else is reported as unknown health.
      if (result.exitCode > 1) return log.warn(`runtime health check could not run (exit ${result.exitCode}): ${result.stderr.trim().split('\n').at(-1) ?? ''}`);
      const run = JSON.parse(result.stdout) as { results: { id: string; outcome: string; reason: string; observation?: Record<string, unknown> }[] };
      const ms = run.results.find((r) => r.id === 'microshift');
      const o = ms?.observation;
      if (ms && ms.reason !== 'microshift-absent' && ms.reason !== 'microshift-disabled') {
        const [ready, total] = String(o?.workloadsReady ?? '0/0').split('/').map(Number);
        facts.microshift = { unit: String(o?.unit ?? 'unknown').split('/')[0] ?? 'unknown', apiReady: o?.api === 'ready', ready: ready ?? 0, total: total ?? 0 };
      } else facts.microshift = undefined;
      for (const r of run.results.filter((x) => x.outcome !== 'pass' && x.outcome !== 'skipped')) log.warn({ check: r.id, outcome: r.outcome }, `Runtime health: ${r.id} ${r.outcome} (${r.reason})`);
      await publish();
      await tasks.writeState();
    },
    async journal() {
      const before = facts.journalPersistent;
      const result = await ensureJournalPersistent({ host, log, signal: deps.signal, systemd: deps.systemd, config });
      facts.journalPersistent = result.outcome === 'persistent' ? true : result.outcome === 'disabled' ? facts.journalPersistent : false;
      const changed = result.outcome === 'persistent' && result.changed;
      if (hub && (changed || (before !== undefined && before !== facts.journalPersistent))) {
        await hub.sink.report('journal-persistence-changed', { persistent: facts.journalPersistent ?? false, reason: 'message' in result ? result.message : result.outcome });
      }
    },
    async writeState() {
      const sink = hub?.sink.state();
      const state: DaemonStateFile = {
        schema: 1,
        pid: process.pid,
        version,
        startedAt,
        updatedAt: new Date(host.clock.now()).toISOString(),
        hub: { configured: Boolean(hub), connected: Boolean(sink?.connected), broker: config.hub?.url, lastReportAt, queued: hub?.outbox.size().events ?? 0, dropped: hub?.outbox.dropped().total ?? 0 },
        microshift: facts.microshift ? { unit: facts.microshift.unit, apiReady: facts.microshift.apiReady, workloadsReady: `${facts.microshift.ready}/${facts.microshift.total}`, checkedAt: new Date(host.clock.now()).toISOString() } : undefined,
      };
      await host.fs.writeAtomic(DAEMON_STATE_PATH, `${JSON.stringify(state)}\n`, 0o644);
    },
    async stop() {
      await tasks.writeState().catch(() => undefined);
    },
  };
  return tasks;
}
