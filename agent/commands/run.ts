// `edge-agent run`: the daemon (systemd Type=notify). It opens this boot's record (noticing a
// rollback), reports verdicts, rollbacks, failed checks and staged updates to the optional hub
// through the durable outbox, keeps the status, the MOTD line and /run/edge-agent/daemon.json
// current, keeps the journal persistent, and pings the watchdog only while its loop makes
// progress. SIGTERM: stop the schedules, flush the outbox, say offline, exit 0.
import cron, { type ScheduledTask } from 'node-cron';
import { watch } from 'node:fs';
import { ExitCode } from '../exit-codes.js';
import { cronEvery } from '../core/schedule.js';
import { version } from '../version.js';
import { createBootRecords } from '../host/boot-records.js';
import { closeCreated, lazy } from '../host/checks/deps.js';
import { createNotifier } from '../host/sd-notify.js';
import { createDaemonTasks } from '../host/daemon-tasks.js';
import type { CommandMain } from './types.js';

export const main: CommandMain = async (_invocation, deps) => {
  const { host, config, log, signal } = deps;
  const notifier = createNotifier(host.exec, host.env);
  const systemd = lazy(async () => (await import('../host/systemd.js')).createSystemd({ busAddress: host.env.DBUS_SYSTEM_BUS_ADDRESS }));
  const records = createBootRecords({ fs: host.fs, clock: host.clock, dir: config.boots.dir, warn: (m) => log.warn(m) });
  const hub = config.hub ? await (await import('../hub/hub.js')).startHub(config, host, log, version) : undefined;
  const tasks = createDaemonTasks({ ...deps, systemd, records, hub, cliPath: process.argv[1] ?? '' });
  await tasks.boot();
  await notifier.ready(tasks.statusLine());
  log.info(`edge-agent ${version} running: ${tasks.statusLine()}`);

  // Each schedule runs its task without overlap; a task stuck longer than this stops the
  // watchdog pings, so systemd restarts a daemon that no longer makes progress.
  const stallMs = 10 * 60_000;
  const running = new Map<string, number>();
  const guard = (name: string, task: () => Promise<void>) => async () => {
    running.set(name, host.clock.monotonic());
    try {
      await task();
    } catch (error) {
      log.warn(`${name}: ${(error as Error).message}`);
    } finally {
      running.delete(name);
      await notifier.status(tasks.statusLine());
    }
  };
  const every = (name: string, seconds: number, task: () => Promise<void>): ScheduledTask => cron.schedule(cronEvery(seconds).expression, guard(name, task), { name, noOverlap: true });
  const schedules = [
    every('report', 60, () => tasks.report()),
    every('updates', config.daemon.updateCheckIntervalSec, () => tasks.updates()),
    every('health', config.daemon.healthIntervalSec, () => tasks.health()),
    every('journal', 3600, () => tasks.journal()),
    every('state', 30, () => tasks.writeState()),
  ];
  void guard('health', () => tasks.health())();
  // Verdicts and check results land in the boot records: report them as soon as they are written.
  const watcher = watchQuietly(host.fs.resolve(config.boots.dir), () => void guard('report', () => tasks.report())());

  const watchdog = notifier.watchdogMs && config.daemon.watchdog
    ? setInterval(() => {
        const now = host.clock.monotonic();
        const stuck = [...running.entries()].find(([, since]) => now - since > stallMs);
        if (stuck) log.error(`task ${stuck[0]} has made no progress for ${Math.round((now - stuck[1]) / 1000)}s: not pinging the watchdog`);
        else void notifier.watchdog();
      }, Math.max(1000, notifier.watchdogMs / 3))
    : undefined;

  await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  log.info('edge-agent stopping: flushing the outbox');
  await notifier.stopping('stopping: flushing the outbox');
  if (watchdog) clearInterval(watchdog);
  watcher?.close();
  for (const s of schedules) await s.destroy();
  await tasks.stop();
  await hub?.close({ timeoutMs: 5000 });
  await closeCreated(systemd);
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
