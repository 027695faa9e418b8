// `edge-agent run` under the device's real systemd, as the RPM installs it (Type=notify, watchdog,
// sandbox), without a hub: the unit becomes active only after READY and shows a STATUS line; the
// daemon keeps /run/edge-agent/daemon.json and the login message current; the watchdog restarts a
// frozen daemon and leaves a live one alone; SIGTERM ends it quickly and cleanly, also in the
// middle of a runtime health check.
import { stat } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daemonStateSchema } from '../../agent/core/daemon-state.js';
import { bootEdgeDevice } from '../harness/edge-device.js';
import { scenario } from '../harness/microshift/scenario.js';
import { makeUpdateAvailable, stageUpdate } from '../harness/rpm-ostree/device-rpm-ostree.js';
import type { VirtualDevice } from '../harness/vdev.js';

const UNIT = 'edge-agent.service';
const DROP_IN = '/etc/systemd/system/edge-agent.service.d/90-test-watchdog.conf';
let device: VirtualDevice;

beforeAll(async () => {
  device = await bootEdgeDevice({ microshift: scenario('healthy'), config: 'microshift:\n  waitTimeoutSec: 60\n' });
}, 180_000);
afterAll(async () => {
  await device?.dispose();
});

async function unit(...properties: string[]): Promise<Record<string, string>> {
  const result = await device.exec(['systemctl', 'show', UNIT, '-p', properties.join(',')]);
  return Object.fromEntries(
    result.stdout
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const messages = async (sinceUsec: number) =>
  (await device.journal({ unit: UNIT }))
    .filter((e) => Number(e.__REALTIME_TIMESTAMP) >= sinceUsec)
    .map((e) => String(e.MESSAGE));
const nowUsec = () => Date.now() * 1000;

async function setWatchdogDropIn(content: string | undefined): Promise<void> {
  if (content === undefined) await device.exec(['rm', '-f', DROP_IN]);
  else await device.writeFile(DROP_IN, content);
  await device.sh('systemctl daemon-reload');
}

describe('starting', () => {
  it('is active only after READY, with a STATUS line, the state file and the login message', async () => {
    // rpm-ostree answers slowly (systemd's PATH puts /usr/local/bin first): the daemon's start-up
    // work takes 3 s more, and the unit must stay "activating" until the daemon says READY.
    await device.writeFile('/usr/local/bin/rpm-ostree', '#!/bin/sh\nsleep 3\nexec /usr/bin/rpm-ostree "$@"\n', 0o755);
    const seen = new Set<string>();
    let started = false;
    const start = device.exec(['systemctl', 'start', UNIT]).finally(() => (started = true));
    while (!started) {
      const p = await unit('ActiveState', 'SubState', 'MainPID');
      if (!started) seen.add(`${p.ActiveState}/${p.SubState}/${p.MainPID === '0' ? 'no-pid' : 'pid'}`);
      await sleep(200);
    }
    expect((await start).exitCode).toBe(0);
    await device.exec(['rm', '-f', '/usr/local/bin/rpm-ostree']);
    expect(seen).toContain('activating/start/pid');
    // Active only once READY came, after the slow start-up work: systemd's own timestamps, since a
    // poll may see "active" between systemd's switch and `systemctl start` returning to us.
    const times = await unit('InactiveExitTimestampMonotonic', 'ActiveEnterTimestampMonotonic');
    expect(Number(times.ActiveEnterTimestampMonotonic) - Number(times.InactiveExitTimestampMonotonic)).toBeGreaterThan(
      2_500_000,
    );

    const p = await unit(
      'ActiveState',
      'SubState',
      'MainPID',
      'StatusText',
      'ExecMainStartTimestampMonotonic',
      'ActiveEnterTimestampMonotonic',
      'NRestarts',
    );
    expect(p).toMatchObject({
      ActiveState: 'active',
      SubState: 'running',
      StatusText: 'boot green, no hub configured',
      NRestarts: '0',
    });
    const readyAfterSec = (Number(p.ActiveEnterTimestampMonotonic) - Number(p.ExecMainStartTimestampMonotonic)) / 1e6;
    expect(readyAfterSec).toBeGreaterThanOrEqual(2.5);

    const raw = JSON.parse(await device.readFile('/run/edge-agent/daemon.json')) as Record<string, unknown>;
    // The schema is lenient (a bad field reads as absent): valid means nothing was dropped.
    expect(daemonStateSchema.parse(raw)).toEqual(raw);
    expect(raw).toMatchObject({
      schema: 1,
      pid: Number(p.MainPID),
      version: expect.any(String),
      hub: { configured: false, connected: false, queued: 0, dropped: 0 },
    });
    expect(Date.parse(String(raw.updatedAt))).toBeGreaterThanOrEqual(Date.parse(String(raw.startedAt)));
    expect((await stat(device.path('/run/edge-agent/daemon.json'))).mode & 0o777).toBe(0o644);

    expect(await device.readFile('/run/motd.d/50-edge-agent')).toMatch(/GREEN/);
  }, 60_000);

  it('keeps a runtime look at MicroShift that `edge-agent status` uses', async () => {
    // The first health run starts with the daemon: a dry run of the checks in a child process.
    const state = await until(
      'microshift in daemon.json',
      async () => {
        const s = daemonStateSchema.parse(JSON.parse(await device.readFile('/run/edge-agent/daemon.json')));
        return s.microshift ? s : undefined;
      },
      60_000,
    );
    expect(state.microshift).toMatchObject({ unit: 'active', apiReady: true, workloads: { ready: 8, total: 8 } });
    // When the check looked, not when the file was written.
    expect(Date.parse(state.microshift?.checkedAt ?? '')).toBeLessThanOrEqual(Date.parse(state.updatedAt ?? ''));
    const status = JSON.parse((await device.exec(['edge-agent', 'status', '--json'])).stdout) as {
      verdict?: string;
      agent: { daemon: { running: boolean; pid?: number }; hub: { configured: boolean } };
      microshift: { source?: string };
    };
    expect(status.agent.daemon).toMatchObject({ running: true, pid: state.pid });
    expect(status.agent.hub.configured).toBe(false);
    expect(status.microshift.source).toBe('daemon');
  }, 90_000);

  it('answers `edge-agent status` for root on a root-only socket and for anyone else from its snapshot; root gathers in-process while it is frozen', async () => {
    type Status = {
      state: string;
      exitCode: number;
      summary: string;
      problems: unknown[];
      boot: unknown;
      checks: unknown;
      deployments: { fetchedAt?: string };
      microshift: { source?: string };
      agent: { daemon: { running: boolean; answered?: boolean } };
    };
    const run = async (options: { user?: string; env?: Record<string, string> } = {}) => {
      const started = Date.now();
      const r = await device.exec(
        [...(options.user ? ['runuser', '-u', options.user, '--'] : []), 'edge-agent', 'status', '--json'],
        { env: options.env },
      );
      return { exitCode: r.exitCode, ms: Date.now() - started, json: JSON.parse(r.stdout) as Status };
    };
    // The daemon answers within 250 ms or status gathers the facts itself (by design): on a busy
    // machine one attempt may miss that, so ask again, a bounded number of times.
    const runAnswered = async () => {
      let last = await run();
      for (let i = 0; i < 10 && last.json.agent.daemon.answered !== true; i++) last = await run();
      return last;
    };
    const facts = (s: Status) => ({
      state: s.state,
      exitCode: s.exitCode,
      summary: s.summary,
      problems: s.problems,
      boot: s.boot,
      checks: s.checks,
      deployments: { ...s.deployments, fetchedAt: undefined },
      running: s.agent.daemon.running,
    });
    // The socket is root's alone twice over: in a 0700 directory, and 0700 itself (the unit's UMask=0077).
    expect(await device.sh('stat -c "%a %U %F" /run/edge-agent/private /run/edge-agent/private/status.sock')).toBe(
      '700 root directory\n700 root socket\n',
    );

    const viaDaemon = await runAnswered();
    expect(viaDaemon.json.agent.daemon.answered).toBe(true);
    const own = await run({ env: { EDGE_AGENT_STATUS_DAEMON: '0' } });
    expect(own.json.agent.daemon.answered).toBeUndefined();
    expect(facts(viaDaemon.json)).toEqual(facts(own.json));
    expect(viaDaemon.exitCode).toBe(own.exitCode);

    // The launcher's entry answers from the daemon on its own (no ES modules loaded); the full CLI,
    // asking the same daemon, prints the same screen (numbers aside: times, ages and uptime move on, and 9 s becomes 10 s).
    const shown = async (argv: string[]) => (await device.exec(argv)).stdout.replace(/\d+/g, '#');
    const cli = (await device.readFile('/usr/bin/edge-agent')).match(/node (\S+)edge-agent\.cjs/)?.[1] ?? 'missing/';
    expect(await shown(['edge-agent', 'status'])).toBe(await shown(['node', `${cli}cli.js`, 'status']));
    expect(await shown(['edge-agent', 'status'])).toMatch(/^● GREEN/);

    // The daemon formats times in the system's zone; a caller with TZ set gets its own.
    const times = async (env?: Record<string, string>) =>
      (await device.exec(['edge-agent', 'status'], { env })).stdout.match(/\d\d:\d\d:\d\d ([+-]\d\d:\d\d)/)?.[1];
    expect(await times()).toBe('+00:00');
    expect(await times({ TZ: 'Asia/Tokyo' })).toBe('+09:00');

    // An ordinary user cannot reach the socket (the directory is root's): it reads the snapshot the
    // daemon keeps for everyone, the facts root sees.
    const user = await run({ user: 'nobody' });
    expect(user.json.agent.daemon.answered).toBe(true);
    expect(user.json.agent.daemon.running).toBe(true);
    expect(facts(user.json)).toEqual(facts(own.json));

    // A frozen daemon accepts the connection (the kernel does) but never answers: status does not wait for it.
    const { MainPID } = await unit('MainPID');
    await device.sh(`kill -STOP ${MainPID}`);
    try {
      const frozen = await run();
      expect(frozen.json.agent.daemon.answered).toBeUndefined();
      expect(frozen.exitCode).toBe(own.exitCode);
      // status gives the daemon 1.5 s; the rest leaves room for a busy machine.
      expect(frozen.ms).toBeLessThan(5000);
    } finally {
      await device.sh(`kill -CONT ${MainPID}`);
    }
    expect((await runAnswered()).json.agent.daemon.answered).toBe(true);

    // The daemon's look at MicroShift overdue (its health checks stopped coming): it declines, and
    // status asks the API itself rather than show an old look as current.
    // The daemon rewrites daemon.json itself (every 30 s, and after each health run): a rewrite that
    // lands between ours and the request puts a fresh look back, so that attempt proves nothing.
    const overdueAt = new Date(Date.now() - 3_600_000).toISOString();
    const lookAt = async () =>
      (JSON.parse(await device.readFile('/run/edge-agent/daemon.json')) as { microshift: { checkedAt: string } })
        .microshift.checkedAt;
    let overdue: Awaited<ReturnType<typeof run>> | undefined;
    for (let attempt = 0; attempt < 5 && !overdue; attempt += 1) {
      const state = JSON.parse(await device.readFile('/run/edge-agent/daemon.json')) as {
        microshift: { checkedAt: string };
      };
      state.microshift.checkedAt = overdueAt;
      await device.writeFile('/run/edge-agent/daemon.json', JSON.stringify(state));
      const answer = await run();
      if ((await lookAt()) === overdueAt) overdue = answer;
    }
    expect(overdue, 'the daemon rewrote daemon.json under every attempt').toBeDefined();
    expect(overdue?.json.agent.daemon.answered).toBeUndefined();
    expect(overdue?.json.microshift.source).toBe('live');
  }, 60_000);
});

describe("rpm-ostree's answer", () => {
  it('is kept in /run while the deployments are unchanged, and asked again at once when an update is staged', async () => {
    type Deployments = { state: string; source?: string; list: { version?: string; staged?: boolean }[] };
    const deployments = async () =>
      (JSON.parse((await device.exec(['edge-agent', 'status', '--json'])).stdout) as { deployments: Deployments })
        .deployments;
    // The daemon gathers status every 5 s and keeps rpm-ostree's answer; root's status asks the daemon.
    const cached = await until('status from the kept answer', async () => {
      const d = await deployments();
      return d.source === 'cache' ? d : undefined;
    });
    expect(cached.list.some((d) => d.staged)).toBe(false);
    expect(device.exists('/run/edge-agent/deployments.json')).toBe(true);

    await makeUpdateAvailable(device, { version: '9.9.1' });
    await stageUpdate(device);
    // The staged checkout and /run/ostree/staged-deployment changed ostree's state: asked again.
    const fresh = await deployments();
    expect(fresh.source).toBe('rpm-ostree');
    expect(fresh.list).toHaveLength(cached.list.length + 1);
    expect(fresh.list.find((d) => d.staged)?.version).toBe('9.9.1');
    // And kept again.
    const again = await until('the new answer kept', async () => {
      const d = await deployments();
      return d.source === 'cache' ? d : undefined;
    });
    expect(again.list.find((d) => d.staged)?.version).toBe('9.9.1');
  }, 90_000);
});

describe('the watchdog', () => {
  it('kills a frozen daemon and starts a new one', async () => {
    await setWatchdogDropIn('[Service]\nWatchdogSec=3s\nRestartSec=1\n');
    await device.sh(`systemctl restart ${UNIT}`);
    const before = await unit('MainPID', 'NRestarts', 'WatchdogUSec');
    expect(before.WatchdogUSec).toBe('3s');
    const since = nowUsec();
    await device.sh(`kill -STOP ${before.MainPID}`);
    const after = await until('a new main process', async () => {
      const p = await unit('ActiveState', 'SubState', 'MainPID', 'NRestarts');
      return p.ActiveState === 'active' && p.MainPID !== '0' && p.MainPID !== before.MainPID ? p : undefined;
    });
    expect(Number(after.NRestarts)).toBe(Number(before.NRestarts) + 1);
    const journal = await messages(since);
    expect(journal.some((m) => m.includes('Watchdog timeout'))).toBe(true);
    expect(journal.some((m) => m.includes("Failed with result 'watchdog'"))).toBe(true);
  }, 60_000);

  it('leaves a live daemon alone: its pings arrive', async () => {
    const before = await unit('MainPID', 'NRestarts', 'WatchdogTimestampMonotonic');
    await sleep(12_000);
    const after = await unit('ActiveState', 'MainPID', 'NRestarts', 'WatchdogTimestampMonotonic');
    expect(after).toMatchObject({ ActiveState: 'active', MainPID: before.MainPID, NRestarts: before.NRestarts });
    // systemd stamps the last ping it received.
    expect(Number(after.WatchdogTimestampMonotonic)).toBeGreaterThan(Number(before.WatchdogTimestampMonotonic) + 8e6);
  }, 60_000);

  it('is switched off in systemd when daemon.watchdog is false', async () => {
    await device.writeFile(
      '/etc/edge-agent/config.yaml',
      'microshift:\n  waitTimeoutSec: 60\ndaemon:\n  watchdog: false\n',
    );
    const since = nowUsec();
    await device.sh(`systemctl restart ${UNIT}`);
    const before = await unit('MainPID', 'NRestarts');
    await sleep(10_000);
    const after = await unit('ActiveState', 'MainPID', 'NRestarts');
    expect(after).toMatchObject({ ActiveState: 'active', MainPID: before.MainPID, NRestarts: before.NRestarts });
    expect((await messages(since)).some((m) => m.includes('told systemd not to expect watchdog pings'))).toBe(true);
    await device.writeFile('/etc/edge-agent/config.yaml', 'microshift:\n  waitTimeoutSec: 60\n');
  }, 60_000);
});

describe('stopping', () => {
  it('ends on SIGTERM within a few seconds with Result=success, also during a health check', async () => {
    await setWatchdogDropIn(undefined);
    await device.sh(`systemctl restart ${UNIT}`);
    // The health run at start-up: `edge-agent check --dry-run` waits ~20 s for MicroShift to stay stable.
    await until('the runtime health check', async () =>
      (await device.exec(['pgrep', '-f', 'check --dry-run'])).exitCode === 0 ? true : undefined,
    );
    const since = nowUsec();
    const started = Date.now();
    expect((await device.exec(['systemctl', 'stop', UNIT])).exitCode).toBe(0);
    const seconds = (Date.now() - started) / 1000;
    console.log(`systemctl stop ${UNIT} during a health check: ${seconds.toFixed(2)} s`);
    expect(seconds).toBeLessThan(10);
    const p = await unit('ActiveState', 'Result', 'ExecMainStatus');
    expect(p).toMatchObject({ ActiveState: 'inactive', Result: 'success', ExecMainStatus: '0' });
    const journal = await messages(since);
    expect(journal).toContain('edge-agent stopping: flushing the outbox');
    expect(journal.filter((m) => /could not run|internal error/.test(m))).toEqual([]);
    expect((await device.exec(['pgrep', '-f', 'check --dry-run'])).exitCode).toBe(1);
    // RuntimeDirectory=: no stale daemon state after a stop.
    expect(device.exists('/run/edge-agent/daemon.json')).toBe(false);
  }, 60_000);

  it('ends as quickly when SIGTERM comes while it is still starting', async () => {
    await device.writeFile('/usr/local/bin/rpm-ostree', '#!/bin/sh\nsleep 5\nexec /usr/bin/rpm-ostree "$@"\n', 0o755);
    try {
      await device.sh(`systemctl start --no-block ${UNIT}`);
      await until('the daemon starting', async () => {
        const p = await unit('ActiveState', 'MainPID');
        return p.ActiveState === 'activating' && p.MainPID !== '0' ? p : undefined;
      });
      const started = Date.now();
      expect((await device.exec(['systemctl', 'stop', UNIT])).exitCode).toBe(0);
      const seconds = (Date.now() - started) / 1000;
      console.log(`systemctl stop ${UNIT} while starting: ${seconds.toFixed(2)} s`);
      // Not TimeoutStopSec (15 s) and a SIGKILL: the daemon saw the signal that came during start-up.
      expect(seconds).toBeLessThan(10);
      expect(await unit('ActiveState', 'Result', 'ExecMainStatus')).toMatchObject({
        ActiveState: 'inactive',
        Result: 'success',
        ExecMainStatus: '0',
      });
    } finally {
      await device.exec(['rm', '-f', '/usr/local/bin/rpm-ostree']);
    }
  }, 60_000);
});
