// `edge-agent run`: the daemon (systemd Type=notify). It opens this boot's record (noticing a
// rollback), reports verdicts, rollbacks, failed checks and staged updates to the optional hub
// through the durable outbox, keeps the status, the MOTD line and /run/edge-agent/daemon.json
// current, answers `edge-agent status` on a root-only socket, keeps the journal persistent, and
// pings the watchdog only while its loop makes progress. Hub files that do not exist yet are waited
// for (hub/hub.ts); one that is wrong is reported; neither stops the local work. SIGTERM: stop the schedules, let in-flight
// work finish or abort (the signal reaches every child process), flush the outbox, say offline,
// exit 0.
import { watch } from 'node:fs';
import { ExitCode } from '../../exit-codes.js';
import { raceDeadline } from '../../core/deadline.js';
import { version } from '../../version.js';
import { createNotifier } from '../../host/sd-notify.js';
import { createDaemonTasks } from './daemon-tasks.js';
import { every as everySeconds, type Schedule } from './every.js';
import type { CommandMain } from '../types.js';

/** A task running longer than this stops the watchdog pings: systemd restarts the daemon. */
const STALL_MS = 10 * 60_000;
/** How long SIGTERM waits for in-flight tasks (already aborted) before closing the hub. */
const INFLIGHT_GRACE_MS = 5000;

export const main: CommandMain = async (_invocation, deps) => {
  const { host, config, log, signal } = deps;
  const notifier = createNotifier(host.exec, host.env);
  const records = await host.records();
  // Hub files that arrive later (or get fixed) change what status shows: write the state then.
  let linkChanged = () => undefined as void;
  const hub = config.hub
    ? await (
        await import('../../hub/hub.js')
      ).startHub(config, host, log, version, { onLinkChange: () => linkChanged() })
    : undefined;
  const tasks = createDaemonTasks({ ...deps, records, hub, cliPath: process.argv[1] ?? '' });

  const inflight = new Map<Promise<void>, { name: string; since: number }>();
  const run = (name: string, task: () => Promise<void>): Promise<void> => {
    const done: Promise<void> = task()
      .catch((error: Error) => {
        if (!signal.aborted) log.warn(`${name}: ${error.message}`);
      })
      .finally(() => {
        inflight.delete(done);
        if (!signal.aborted) void notifier.status(tasks.statusLine());
      });
    inflight.set(done, { name, since: host.clock.monotonic() });
    return done;
  };
  // Each schedule runs its task every N seconds of monotonic time from the start (every.ts). A tick
  // while the same task still runs is skipped, so a report started by a record change counts too.
  linkChanged = () => void run('state', () => tasks.writeState());
  const every = (name: string, seconds: number, task: () => Promise<void>): Schedule =>
    everySeconds(host.clock, seconds, () =>
      [...inflight.values()].some((t) => t.name === name) ? undefined : void run(name, task),
    );

  let schedules: Schedule[] = [];
  let watcher: { close(): void } | undefined;
  let watchdog: NodeJS.Timeout | undefined;
  let statusServer: { close(): Promise<void> } | undefined;
  try {
    await tasks.boot();
    // `edge-agent status` asks here first (as root): answered in milliseconds by a warm process.
    statusServer = await import('../status/serve.js')
      .then((m) => m.startStatusServer({ host, log, signal }))
      .catch((error: Error) => void log.warn(`status socket: ${error.message}; status runs on its own`));
    await notifier.ready(tasks.statusLine());
    if (notifier.watchdogMs && !config.daemon.watchdog) {
      // Not pinging a unit with WatchdogSec= would get the daemon killed every interval.
      await notifier.watchdogOff();
      log.info('daemon.watchdog is false: told systemd not to expect watchdog pings');
    }
    log.info(`edge-agent ${version} running: ${tasks.statusLine()}`);

    schedules = [
      every('report', 60, () => tasks.report()),
      every('updates', config.daemon.updateCheckIntervalSec, () => tasks.updates()),
      every('health', config.daemon.healthIntervalSec, () => tasks.health()),
      every('journal', 3600, () => tasks.journal()),
      every('readiness', 3600, () => tasks.readiness()),
      every('state', 30, () => tasks.writeState()),
    ];
    void run('health', () => tasks.health());
    void run('readiness', () => tasks.readiness());
    // Verdicts and check results land in the boot records: report them as soon as they are written
    // (report() runs one at a time and picks up changes made while it ran).
    watcher = watchQuietly(host.fs.resolve(config.boots.dir), () => void run('report', () => tasks.report()));

    if (notifier.watchdogMs && config.daemon.watchdog) {
      watchdog = setInterval(
        () => {
          const now = host.clock.monotonic();
          const stuck = [...inflight.values()].find((t) => now - t.since > STALL_MS);
          if (stuck)
            log.error(
              `task ${stuck.name} has made no progress for ${Math.round((now - stuck.since) / 1000)}s: not pinging the watchdog`,
            );
          else void notifier.watchdog();
        },
        Math.max(1000, notifier.watchdogMs / 3),
      );
    }

    // Checked first: a SIGTERM during boot() has fired its event already.
    if (!signal.aborted)
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  } catch (error) {
    // Work cut short by SIGTERM is not a failure of the daemon.
    if (!signal.aborted) throw error;
  } finally {
    log.info('edge-agent stopping: flushing the outbox');
    await notifier.stopping('stopping: flushing the outbox');
    clearInterval(watchdog);
    watcher?.close();
    await statusServer?.close();
    for (const s of schedules) s.stop();
    // The signal has aborted their child processes: an event is queued and marked, or neither.
    await raceDeadline(Promise.allSettled(inflight.keys()), {
      clock: host.clock,
      ms: INFLIGHT_GRACE_MS,
      onTimeout: () => undefined,
    });
    await tasks.stop();
    await hub?.close({ timeoutMs: 5000 });
    await host.close();
  }
  return ExitCode.Ok;
};

function watchQuietly(dir: string, onChange: () => void): { close(): void } | undefined {
  try {
    let timer: NodeJS.Timeout | undefined;
    const watcher = watch(dir, () => {
      clearTimeout(timer);
      timer = setTimeout(onChange, 200);
    });
    watcher.on('error', () => undefined);
    return { close: () => (clearTimeout(timer), watcher.close()) };
  } catch {
    return undefined;
  }
}
