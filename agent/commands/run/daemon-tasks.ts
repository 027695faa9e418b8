// The daemon's scheduled work, one method per task. Each reads the truth sources (records,
// rpm-ostree, the journal settings, a dry run of the checks) and passes what changed to the hub
// sink, the MOTD line and /run/edge-agent/daemon.json. Runtime health is informational: it never
// changes a boot verdict.
import { deviceStatus, pendingEvents, type StatusFacts } from '../../core/hub/report.js';
import type { BootRecord } from '../../core/boot-record.js';
import { DAEMON_STATE_PATH, type DaemonStateFile } from '../../core/daemon-state.js';
import { redactSecrets } from '../../core/redact.js';
import { summaryLine } from '../../core/status/summary.js';
import type { Deps } from '../types.js';
import type { Hub } from '../../hub/hub.js';
import { version } from '../../version.js';
import { gatherBootContext, type BootContext } from '../../host/greenboot-context.js';
import { noteBoot } from '../../host/open-boot-record.js';
import type { BootRecords } from '../../host/record-store.js';
import { ensureJournalPersistent } from '../../host/journald.js';
import { writeMotd } from '../../host/motd.js';
import { createRpmOstree } from '../../host/rpm-ostree.js';
import { decideBootVerdict } from '../../core/verdict/boot-verdict.js';
import { notifyStatusText, verdictSummary } from '../../core/verdict/verdict-views.js';
import { reportStagedPreflight } from './daemon-preflight.js';
import { createGrubEnvReader } from '../../host/grubenv.js';
import { readLiveVerdictInputs } from '../../host/verdict-probe.js';
import { buildReadinessSection, hubReadiness } from '../../core/readiness/facts.js';
import { gatherReadiness, readinessSources } from '../../host/readiness.js';
import { readGreenbootRunning } from '../../host/greenboot-running.js';

export interface DaemonTaskDeps extends Deps {
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
  let microshiftCheckedAt: string | undefined;

  // Its start, not its age: the retained status changes when the script does, not every publish.
  const runningScript = async () => {
    const r = await readGreenbootRunning(host.fs).catch(() => undefined);
    return (
      r && {
        script: r.name,
        kind: r.kind,
        since:
          r.runningMs === undefined
            ? undefined
            : new Date(Math.round((host.clock.now() - r.runningMs) / 1000) * 1000).toISOString(),
      }
    );
  };

  const publish = async () => {
    // The one verdict, from the record and greenboot's live units and grubenv, as `status` decides it.
    const inputs = await readLiveVerdictInputs(
      { grubenv: createGrubEnvReader({ fs: host.fs }), systemd: host.systemd, signal: deps.signal },
      facts.record ?? 'none',
      context?.implementation ?? 'unknown',
    );
    facts.verdict = decideBootVerdict(inputs);
    facts.greenbootRunning = facts.verdict.verdict === 'checking' ? await runningScript() : undefined;
    hub?.sink.publishStatus(deviceStatus(facts));
    const line = summaryLine(verdictSummary(facts.verdict, facts.record));
    await writeMotd({ fs: host.fs, clock: host.clock }, line).catch((error: Error) =>
      log.debug(`motd: ${error.message}`),
    );
  };

  /**
   * Queue the events of one boot's record that the hub has not had yet, and mark them there. Their
   * ids go into the record first: a daemon that dies after queueing but before marking queues the
   * same events again after its restart, with the same ids, which the hub drops as duplicates.
   */
  const queue = async (record: BootRecord, only: (type: string) => boolean = () => true) => {
    const pending = hub ? pendingEvents(record).filter((e) => only(e.type)) : [];
    if (!hub || pending.length === 0) return;
    const kept = record.hubIds ?? {};
    const ids = new Map(pending.map((e) => [e.mark, kept[e.mark] ?? hub.sink.nextId()]));
    if (pending.some((e) => kept[e.mark] === undefined)) {
      await records.update(record.bootId, (r) => {
        r.hubIds = { ...r.hubIds, ...Object.fromEntries(ids) };
      });
    }
    for (const event of pending) await hub.sink.report(event.type, event.body as never, { id: ids.get(event.mark) });
    await records.update(record.bootId, (r) => {
      r.hubReported = [...new Set([...(r.hubReported ?? []), ...pending.map((e) => e.mark)])];
      // Reported: the ids are not needed any more.
      const left = Object.entries(r.hubIds ?? {}).filter(([mark]) => !ids.has(mark));
      if (left.length) r.hubIds = Object.fromEntries(left);
      else delete r.hubIds;
    });
  };

  const tasks = {
    statusLine(): string {
      const verdict = facts.verdict ?? { verdict: 'unknown' };
      if (!hub) return notifyStatusText(verdict, undefined);
      const s = hub.sink.state();
      const link = hub.link();
      const where =
        link.state === 'waiting'
          ? `waiting for ${link.path}`
          : link.state === 'error'
            ? `file error${link.path ? ` in ${link.path}` : ''}`
            : s.connected
              ? 'connected'
              : 'offline';
      return notifyStatusText(verdict, `hub ${where}, ${hub.outbox.size().events} queued`);
    },
    /** Open this boot's record (rollback detection) and report what is pending. */
    async boot() {
      context = await gatherBootContext(config, host, deps.signal);
      const noted = await noteBoot(records, host.clock, log, {
        bootId: context.bootId,
        deployments: context.deployments,
      });
      facts.record = noted.record;
      facts.staged = noted.record.staged;
      const all = await records.list();
      facts.lastRollback = all.find((r) => r.rollback)?.rollback;
      await tasks.journal();
      // A red boot reboots right after its verdict, maybe before its daemon queued it: the boot
      // before this one gets its unreported events now (under its own boot id). Not its staged
      // update: that is booted now or gone.
      const previous = all.find((r) => r.bootId !== noted.record.bootId);
      if (previous) await queue(previous, (type) => type !== 'update-staged');
      await tasks.report();
      await tasks.writeState();
    },
    /**
     * Queue the events of this boot's record that the hub has not had yet. One run at a time (a
     * record change, the schedule and the update check all ask for one): two runs reading the same
     * record would both queue its new events, under different ids.
     */
    report: oneAtATime(async () => {
      if (!context) return;
      const record = await records.read(context.bootId);
      if (!record) return;
      facts.record = record;
      facts.staged = record.staged;
      if (record.rollback) facts.lastRollback = record.rollback;
      await queue(record);
      await publish();
    }),
    /** A staged deployment goes into this boot's record; report() tells the hub once. */
    async updates() {
      const set = await createRpmOstree({ exec: host.exec }).status({ signal: deps.signal, timeoutMs: 20_000 });
      if (!set || !context) return;
      const staged = set.staged;
      if (staged?.checksum !== facts.staged?.checksum) {
        if (staged)
          log.info(
            { event: 'update-staged', deployment: staged.checksum },
            `Update staged for the next boot: ${staged.version ?? staged.checksum.slice(0, 7)}`,
          );
        await records.update(context.bootId, (r) => {
          if (staged)
            r.staged = {
              checksum: staged.checksum,
              version: staged.version,
              origin: staged.origin,
              containerImageReference: staged.containerImageReference,
            };
          else delete r.staged;
        });
      }
      await tasks.report();
      await reportStagedPreflight(deps, staged);
    },
    /** The checks, run now as a dry run in a child process: informational, never a verdict. */
    async health() {
      // With the daemon's own Node flags (the unit's --lite-mode and the like) where they work: the
      // child is most of the daemon's peak memory, and without a JIT it peaks ~25 MB lower.
      const result = await host.exec.run(
        process.execPath,
        [...childNodeFlags(), deps.cliPath, 'check', '--dry-run', '--json', '--class', 'required', '--timeout', '30'],
        {
          timeoutMs: 60_000,
          signal: deps.signal,
          // The child's progress lines would repeat in the journal every interval: warnings only.
          env: { EDGE_AGENT_LOG_LEVEL: 'warn' },
        },
      );
      // Exit 0 or 1 both carry a result object; anything else is reported as unknown health.
      if (deps.signal.aborted) return;
      if (result.exitCode > 1)
        return log.warn(
          `runtime health check could not run (exit ${result.exitCode}): ${result.stderr.trim().split('\n').at(-1) ?? ''}`,
        );
      const run = JSON.parse(result.stdout) as {
        results: {
          id: string;
          outcome: string;
          reason: string;
          endedAt: string;
          observation?: Record<string, unknown>;
        }[];
      };
      const ms = run.results.find((r) => r.id === 'microshift');
      const o = ms?.observation;
      if (ms && ms.reason !== 'microshift-absent' && ms.reason !== 'microshift-disabled') {
        const counts = o?.workloads as { ready?: unknown; total?: unknown } | undefined;
        const ready = typeof counts?.ready === 'number' ? counts.ready : 0;
        const total = typeof counts?.total === 'number' ? counts.total : 0;
        facts.microshift = {
          unit: String(o?.unit ?? 'unknown').split('/')[0] ?? 'unknown',
          apiReady: o?.api === 'ready',
          ready,
          total,
        };
        microshiftCheckedAt = ms.endedAt;
      } else facts.microshift = undefined;
      for (const r of run.results.filter((x) => x.outcome !== 'pass' && x.outcome !== 'skipped'))
        log.warn({ check: r.id, outcome: r.outcome }, `Runtime health: ${r.id} ${r.outcome} (${r.reason})`);
      await publish();
      await tasks.writeState();
    },
    /** Readiness facts for the hub's status; hourly: certificates and packages change slowly. */
    async readiness() {
      const gathered = await gatherReadiness(
        {
          fs: host.fs,
          exec: host.exec,
          signal: deps.signal,
          timeoutMs: 10_000,
          deployments: context?.deployments?.deployments,
        },
        readinessSources(config),
      );
      facts.readiness = hubReadiness(buildReadinessSection(gathered, host.clock.now()));
      await publish();
    },
    async journal() {
      const before = facts.journalPersistent;
      const result = await ensureJournalPersistent({ host, log, signal: deps.signal, config });
      facts.journalPersistent =
        result.outcome === 'persistent' ? true : result.outcome === 'disabled' ? facts.journalPersistent : false;
      const changed = result.outcome === 'persistent' && result.changed;
      if (hub && (changed || (before !== undefined && before !== facts.journalPersistent))) {
        await hub.sink.report('journal-persistence-changed', {
          persistent: facts.journalPersistent ?? false,
          reason: 'message' in result ? result.message : result.outcome,
        });
      }
    },
    async writeState() {
      const sink = hub?.sink.state();
      const link = hub?.link();
      const state: DaemonStateFile = {
        schema: 1,
        pid: process.pid,
        version,
        startedAt,
        updatedAt: new Date(host.clock.now()).toISOString(),
        healthIntervalSec: config.daemon.healthIntervalSec,
        hub: {
          configured: Boolean(hub),
          connected: Boolean(sink?.connected),
          broker: config.hub ? redactSecrets(config.hub.url) : undefined,
          lastReportAt: sink?.lastAckAt,
          queued: hub?.outbox.size().events ?? 0,
          dropped: hub?.outbox.dropped().total ?? 0,
          waitingFor: link?.state === 'waiting' ? link.path : undefined,
          error: link?.state === 'error' ? link.message : undefined,
        },
        // checkedAt is when the health check looked, not now: `status` asks MicroShift itself when
        // that is overdue (see core/daemon-state.ts), rather than showing an old look as current.
        microshift:
          facts.microshift && microshiftCheckedAt
            ? {
                unit: facts.microshift.unit,
                apiReady: facts.microshift.apiReady,
                workloads: { ready: facts.microshift.ready, total: facts.microshift.total },
                checkedAt: microshiftCheckedAt,
              }
            : undefined,
      };
      await host.fs.writeAtomic(DAEMON_STATE_PATH, `${JSON.stringify(state)}\n`, 0o644);
    },
    /** A last report (a verdict written just before the SIGTERM of a reboot), then the state file. */
    async stop() {
      await tasks.report().catch((error: Error) => log.warn(`report: ${error.message}`));
      await tasks.writeState().catch(() => undefined);
    },
  };
  return tasks;
}

/**
 * The daemon's Node flags for the check child (the unit's --lite-mode and the rest: the child is
 * the daemon's biggest memory cost), without those that open a debugger port (which two processes
 * cannot share). The check path must not reach anything that needs WebAssembly, which --lite-mode
 * lacks: on Node.js 22 an ES import of node:http does (see commands/check/declared.ts).
 */
function childNodeFlags(): string[] {
  return process.execArgv.filter((flag) => !/^--(inspect|debug)/.test(flag));
}

/** Run `task` one call at a time; calls made while it runs share one more run after it. */
function oneAtATime(task: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  let next: Promise<void> | undefined;
  const run = (): Promise<void> => {
    if (!running) {
      running = task().finally(() => (running = undefined));
      return running;
    }
    next ??= running
      .catch(() => undefined)
      .then(() => {
        next = undefined;
        return run();
      });
    return next;
  };
  return run;
}
