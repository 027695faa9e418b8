// Benchmark: memory of the daemon. DESIGN.md's budget: RSS ≤ 60 MB steady, no growth over 10 000
// report cycles. A figure, not a test.
//
// Two measurements on one virtual edge device (simulated MicroShift, booted green, a loopback
// Mosquitto with TLS client certificates as the hub, every daemon setting at its default):
//   daemon      the real `edge-agent run` under systemd, from the bundle: VmRSS and VmHWM of its
//               main process once it is up and its first runtime health check is done; then,
//               left alone with its default schedule for BENCH_IDLE_SEC (default 60), VmRSS every
//               5 s: "steady" is the most of the second half (V8 shrinks its heap some seconds
//               after the start's allocations stop, and the first minute's report runs).
//   cycles      a driver process in the device (this file again, BENCH_DAEMON_DRIVER=1) that
//               builds the daemon's tasks exactly as `edge-agent run` does and calls
//               tasks.report() BENCH_CYCLES times (default 10 000), each a real cycle: read the
//               boot record, queue what is new, publish the status, rewrite the login message.
//               Every 50th cycle a new failed wanted check lands in the record first, so events
//               flow through the outbox to the broker too. Cycles run back to back (a daemon
//               does one a minute), which makes V8 and malloc take more memory before they level
//               off: BENCH_WARMUP cycles (default 3000) first, then RSS and used heap, after a
//               full GC, before and after the measured cycles, and RSS along the way. Used heap
//               is what a leak in our code would grow. The driver is this file bundled the way
//               the product is (packaging/build-options.mjs) and run with the daemon's Node flags
//               (the unit's ExecStart: V8 sizes its heap by them), one Node process without tsx,
//               so its absolute RSS is comparable; it loads nothing of the harness (imported
//               lazily below).
//   busy        the real daemon again, every task made frequent (healthIntervalSec and
//               updateCheckIntervalSec 10 s: a health check child, an rpm-ostree look, the state
//               file every few seconds, the report each minute) for BENCH_BUSY_SEC (default 240):
//               VmRSS every 10 s, to show the daemon's RSS settles once every task has run,
//               rather than creeping with each child process or command it runs.
//   tree        during the start, busy and backlog phases, every 100 ms, the memory of every
//               process in the unit's cgroup (the daemon with its `check --dry-run` child,
//               rpm-ostree, ...): the physical pages they map, each counted once, at the peak, and
//               what made it up; the RSS and PSS sums beside it (lib/daemon-tree.ts says why).
//               Budget 100 MB.
//   backlog     BENCH_BACKLOG events (default 12 000) queued in the outbox while the daemon is
//               stopped (by the driver, BENCH_DAEMON_DRIVER=fill; the outbox limits raised so all
//               are kept), then the real daemon started: its VmHWM and the tree's peak until a
//               fleet-reader subscriber on the broker has every one of them. Budget 60 MB.
//
// Env: BENCH_CYCLES (default 10000), BENCH_WARMUP (default 3000), BENCH_BUSY_SEC (default 240),
// BENCH_BACKLOG (default 12000), BENCH_IDLE_SEC (default 60), BENCH_PHASES (default
// daemon,cycles,busy,backlog: a subset to run, for trying one change against one figure; the tree
// budget is judged on the phases run).
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestBroker } from '../test/harness/mosquitto.js';
import type { VirtualDevice } from './lib/device.js';
import type { HostSettings } from '../agent/host/host.js';
import { progress, round } from './lib/figures.js';
import { describeTree, sampleTree, type TreePeak } from './lib/daemon-tree.js';

const CYCLES = positiveInt(process.env.BENCH_CYCLES, 10_000);
const WARMUP = positiveInt(process.env.BENCH_WARMUP, 3000);
const BUSY_SEC = positiveInt(process.env.BENCH_BUSY_SEC, 240);
const BACKLOG = positiveInt(process.env.BENCH_BACKLOG, 12_000);
const IDLE_STEP_SEC = 5;
// At least one sample, so "steady" always has one to take.
const IDLE_SEC = Math.max(IDLE_STEP_SEC, positiveInt(process.env.BENCH_IDLE_SEC, 60));
const BUDGET_MB = 60;
const TREE_BUDGET_MB = 100;
const EVENT_EVERY = 50;
const MB = 1024 * 1024;
const PHASE_NAMES = ['daemon', 'cycles', 'busy', 'backlog'] as const;
const PHASES = phases(process.env.BENCH_PHASES);

if (process.env.BENCH_DAEMON_DRIVER === '1' || process.env.BENCH_DAEMON_DRIVER === 'fill') {
  (process.env.BENCH_DAEMON_DRIVER === 'fill' ? fillOutbox() : driver()).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(`daemon-rss driver: ${(error as Error).stack ?? String(error)}`);
      process.exit(2);
    },
  );
} else {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`daemon-rss: measurement failed: ${(error as Error).stack ?? String(error)}`);
      process.exit(2);
    },
  );
}

async function main(): Promise<number> {
  const { repoRoot } = await import('../test/harness/bundle.js');
  const { settleBoot } = await import('../test/harness/greenboot/boot-cycle.js');
  const { startBroker } = await import('../test/harness/mosquitto.js');
  const { sourceRevision, withDevice } = await import('./lib/device.js');
  const driverDir = join(repoRoot, 'build', 'bench', `daemon-rss-${process.pid}`);
  const broker = await startBroker();
  try {
    const driverFile = await buildDriver(repoRoot, driverDir);
    return await withDevice(await deviceOptions(broker), async (device) => {
      await device.reboot();
      await settleBoot(device, 180_000);
      const source = await sourceRevision();
      console.log(
        `daemon-rss: edge-agent run in a virtual edge device (MicroShift healthy, hub ${broker.url}, default settings); source ${source}`,
      );

      // The repo (and the driver build in it) is at the same path inside the device. Started through
      // the runtime chooser, as the unit is: it leaves out flags the chosen Node does not know.
      const nodeCommand = ['/usr/libexec/edge-agent/node', ...(await daemonNodeFlags(repoRoot))];
      const daemon = PHASES.has('daemon') ? await measureDaemonPhase(device, nodeCommand) : undefined;
      const command = [...nodeCommand, '--expose-gc', driverFile];
      const cycles = PHASES.has('cycles') ? await measureCyclesPhase(device, command) : undefined;
      const busy = PHASES.has('busy') ? await measureBusyPhase(device) : undefined;
      const backlog = PHASES.has('backlog') ? await measureBacklogPhase(device, broker, command) : undefined;
      const trees = [daemon?.tree, busy?.tree, backlog?.tree].filter((t): t is TreePeak => t !== undefined);
      const tree = trees.reduce<TreePeak | undefined>((a, b) => (a && a.uniqueMB >= b.uniqueMB ? a : b), undefined);
      if (tree)
        console.log(
          `daemon with child processes: peak ${tree.uniqueMB} MB of unique pages (budget ${TREE_BUDGET_MB} MB, ratio ${round(tree.uniqueMB / TREE_BUDGET_MB, 2)}); with the harness's stand-ins ${tree.uniqueWithStandInsMB} MB; the largest RSS sum ${tree.rssMB} MB counts shared pages once per process`,
        );
      console.log(
        JSON.stringify({
          bench: 'daemon-rss',
          source,
          phases: [...PHASES],
          daemon: daemon && {
            rssMB: daemon.rssMB,
            hwmMB: daemon.hwmMB,
            steadyMB: daemon.steadyMB,
            idleCurveMB: daemon.idleCurveMB,
            anonMB: daemon.anonMB,
            fileMB: daemon.fileMB,
            budgetMB: BUDGET_MB,
            ratio: round(daemon.rssMB / BUDGET_MB, 2),
            reference: {
              ...daemon.floor,
              builtins: DAEMON_BUILTINS,
              ratio: round(daemon.rssMB / daemon.floor.rssMB, 2),
            },
          },
          cycles: cycles && { ...cycles, growthGoalPct: 5 },
          busy: busy && { ...busy, seconds: BUSY_SEC, growthGoalPct: 5 },
          tree: tree && { ...tree, budgetMB: TREE_BUDGET_MB, ratio: round(tree.uniqueMB / TREE_BUDGET_MB, 2) },
          backlog: backlog && { ...backlog, budgetMB: BUDGET_MB, ratio: round(backlog.hwmMB / BUDGET_MB, 2) },
        }),
      );
      return 0;
    });
  } finally {
    await broker.cleanup();
    await rm(driverDir, { recursive: true, force: true });
  }
}

/** This file as the product is built (packaging/build-options.mjs): code-split ESM for Node 22 and 24. */
async function buildDriver(repoRoot: string, outdir: string): Promise<string> {
  const { build } = await import('esbuild');
  const { readFile } = await import('node:fs/promises');
  const { bundleOptions, escapeNonAscii } = await import('../packaging/build-options.mjs');
  const pkg = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  const options = bundleOptions({ root: repoRoot, version: pkg.version });
  const result = await build({
    ...options,
    entryPoints: { 'daemon-rss': 'bench/daemon-rss.ts' },
    outdir,
    // This file builds itself with esbuild (only in the parent, imported lazily above).
    external: [...options.external, 'esbuild'],
    logLevel: 'error',
  });
  await escapeNonAscii(repoRoot, result.metafile);
  return join(outdir, 'daemon-rss.js');
}

/** The Node flags the unit starts the daemon with (`ExecStart=/usr/libexec/edge-agent/node FLAGS .../cli.js run`). */
async function daemonNodeFlags(repoRoot: string): Promise<string[]> {
  const { readFile } = await import('node:fs/promises');
  const unit = await readFile(join(repoRoot, 'units', 'edge-agent.service'), 'utf8');
  const flags = /^ExecStart=\S+\/node ((?:--\S+ )*)\S+\/cli\.js run$/m.exec(unit)?.[1];
  if (flags === undefined) throw new Error('units/edge-agent.service: no ExecStart=.../node [flags] .../cli.js run');
  return flags.split(' ').filter(Boolean);
}

async function deviceOptions(broker: TestBroker) {
  const { readFile } = await import('node:fs/promises');
  const { scenario } = await import('../test/harness/microshift/scenario.js');
  const client = broker.client('device-a');
  return {
    microshift: scenario('healthy'),
    config: `hub:\n  url: ${broker.url}\n  ca: /etc/edge-agent/hub/ca.crt\n  cert: /etc/edge-agent/hub/device.crt\n  key: /etc/edge-agent/hub/device.key\n`,
    files: {
      '/etc/edge-agent/hub/ca.crt': await readFile(broker.ca, 'utf8'),
      '/etc/edge-agent/hub/device.crt': await readFile(client.cert, 'utf8'),
      '/etc/edge-agent/hub/device.key': { content: await readFile(client.key, 'utf8'), mode: 0o600 },
    },
  };
}

async function measureDaemon(device: VirtualDevice): Promise<{
  rssMB: number;
  hwmMB: number;
  anonMB: number;
  fileMB: number;
  tree: TreePeak;
  idleCurveMB: number[];
  steadyMB: number;
}> {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  await device.sh('systemctl start edge-agent');
  const sampler = await sampleTree(device);
  try {
    // Up when the first health run (started with the daemon) has left its result in daemon.json.
    const deadline = Date.now() + 120_000;
    while (!(await device.readFile('/run/edge-agent/daemon.json').catch(() => '')).includes('"microshift"')) {
      if (Date.now() > deadline) throw new Error('the daemon wrote no MicroShift state within 120 s');
      await sleep(500);
    }
    await sleep(2000);
    const pid = (await device.sh('systemctl show -p MainPID --value edge-agent')).trim();
    const status = await device.readFile(`/proc/${pid}/status`);
    const kb = (field: string) => statusKB(status, field);
    const tree = await sampler.stop();
    // Then left alone with its default schedule: V8 shrinks its heap once the start's allocations
    // stop (its memory reducer, some seconds later), and the first minute's report runs.
    const idleCurveMB: number[] = [];
    for (let t = IDLE_STEP_SEC; t <= IDLE_SEC; t += IDLE_STEP_SEC) {
      await sleep(IDLE_STEP_SEC * 1000);
      idleCurveMB.push(round(statusKB(await device.readFile(`/proc/${pid}/status`), 'VmRSS') / 1024, 1));
    }
    return {
      rssMB: round(kb('VmRSS') / 1024, 1),
      hwmMB: round(kb('VmHWM') / 1024, 1),
      anonMB: round(kb('RssAnon') / 1024, 1),
      fileMB: round(kb('RssFile') / 1024, 1),
      tree,
      idleCurveMB,
      steadyMB: Math.max(...idleCurveMB.slice(Math.floor(idleCurveMB.length / 2))),
    };
  } finally {
    // The driver connects with the same client certificate (and client id): one at a time.
    await device.sh('systemctl stop edge-agent');
  }
}

/** The daemon with its health and update tasks every 10 s: VmRSS every 10 s for BUSY_SEC. */
async function measureBusyDaemon(device: VirtualDevice) {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const config = await device.readFile('/etc/edge-agent/config.yaml');
  await device.writeFile(
    '/etc/edge-agent/config.yaml',
    `${config.trimEnd()}\ndaemon:\n  healthIntervalSec: 10\n  updateCheckIntervalSec: 10\n`,
  );
  await device.sh('systemctl start edge-agent');
  const sampler = await sampleTree(device);
  try {
    const pid = (await device.sh('systemctl show -p MainPID --value edge-agent')).trim();
    const curve: number[] = [];
    // Each health run leaves its time in daemon.json: the distinct times seen are the runs done.
    const healthRuns = new Set<string>();
    for (let t = 10; t <= BUSY_SEC; t += 10) {
      await sleep(10_000);
      const status = await device.readFile(`/proc/${pid}/status`);
      curve.push(round(statusKB(status, 'VmRSS') / 1024, 1));
      const checkedAt = (
        JSON.parse(await device.readFile('/run/edge-agent/daemon.json')) as { microshift?: { checkedAt?: string } }
      ).microshift?.checkedAt;
      if (checkedAt) healthRuns.add(checkedAt);
    }
    if ((await device.sh('systemctl show -p MainPID --value edge-agent')).trim() !== pid)
      throw new Error('the daemon restarted during the busy phase');
    const at = (i: number) => curve[Math.min(curve.length - 1, Math.max(0, i))] as number;
    const quarter = at(Math.round(curve.length / 4) - 1);
    return {
      firstMB: at(0),
      quarterMB: quarter,
      lastMB: at(curve.length - 1),
      maxMB: Math.max(...curve),
      growthPct: round(((at(curve.length - 1) - quarter) / quarter) * 100, 2),
      healthRuns: healthRuns.size,
      curveMB: curve,
      tree: await sampler.stop(),
    };
  } finally {
    await device.sh('systemctl stop edge-agent');
    await device.writeFile('/etc/edge-agent/config.yaml', config);
  }
}

/**
 * BACKLOG events queued while the daemon is stopped (the driver fills the outbox), then the daemon
 * started against the reachable broker: its peak RSS until a subscriber has every event.
 */
async function measureBacklog(device: VirtualDevice, broker: TestBroker, command: string[]) {
  const { subscribe } = await import('../test/harness/mosquitto.js');
  const config = await device.readFile('/etc/edge-agent/config.yaml');
  // The default limits (10 000 events, 5 MB) would drop the oldest: keep them all, with the byte
  // limit (and so the segment size, a sixteenth of it) near the default.
  await device.writeFile(
    '/etc/edge-agent/config.yaml',
    `${config.trimEnd()}\noutbox:\n  maxEvents: ${Math.max(10_000, BACKLOG * 2)}\n  maxBytes: ${Math.max(5 * 1024 * 1024, BACKLOG * 512)}\n`,
  );
  const sub = await subscribe(broker, ['edge/v1/device-a/events'], { mqtt: { protocolVersion: 5 } });
  try {
    // QoS 0 at the subscriber: no per-client queue limit in the broker between it and the device.
    await sub.client.unsubscribeAsync('edge/v1/device-a/events');
    await sub.client.subscribeAsync('edge/v1/device-a/events', { qos: 0 });
    const fill = await device.exec(command, {
      env: { BENCH_DAEMON_DRIVER: 'fill', BENCH_BACKLOG: String(BACKLOG), EDGE_AGENT_LOG_LEVEL: 'warn' },
      timeoutMs: 30 * 60_000,
    });
    if (fill.exitCode !== 0)
      throw new Error(`filling the outbox failed (exit ${fill.exitCode}):\n${fill.stdout}${fill.stderr}`);
    const ids = new Set<string>();
    const take = (m: { payload: string }) => {
      const event = JSON.parse(m.payload) as { body?: { message?: string } };
      if (event.body?.message?.startsWith('backlog ')) ids.add(event.body.message);
    };
    const started = Date.now();
    await device.sh('systemctl start edge-agent');
    const sampler = await sampleTree(device);
    try {
      const deadline = Date.now() + 20 * 60_000;
      let seen = 0;
      while (ids.size < BACKLOG) {
        for (const m of sub.messages.slice(seen)) take(m);
        seen = sub.messages.length;
        if (Date.now() > deadline)
          throw new Error(`the subscriber has ${ids.size} of ${BACKLOG} events after 20 minutes`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const seconds = round((Date.now() - started) / 1000, 1);
      const pid = (await device.sh('systemctl show -p MainPID --value edge-agent')).trim();
      const status = await device.readFile(`/proc/${pid}/status`);
      const kb = (field: string) => statusKB(status, field);
      return {
        events: ids.size,
        seconds,
        hwmMB: round(kb('VmHWM') / 1024, 1),
        rssMB: round(kb('VmRSS') / 1024, 1),
        tree: await sampler.stop(),
      };
    } finally {
      await device.sh('systemctl stop edge-agent');
    }
  } finally {
    await sub.client.endAsync(true);
    await device.writeFile('/etc/edge-agent/config.yaml', config);
  }
}

/** Inside the device, the daemon stopped: BACKLOG check-failed events into its outbox, as an offline daemon queues them. */
async function fillOutbox(): Promise<void> {
  const [{ createHost }, { loadConfig }, { openOutbox }, { enqueueEvent }, { createIdGenerator }] = await Promise.all([
    import('../agent/host/host.js'),
    import('../agent/config/load.js'),
    import('../agent/hub/outbox.js'),
    import('../agent/hub/mqtt-sink.js'),
    import('../agent/hub/event-id.js'),
  ]);
  const host = createHost({ settings: () => undefined });
  const config = (await loadConfig(host.fs)).config;
  if (!config?.hub) throw new Error('no hub in the device config');
  const outbox = await openOutbox(config.outbox.dir, config.outbox, { fs: host.fs, clock: host.clock });
  const newId = createIdGenerator(host.clock);
  for (let i = 0; i < BACKLOG; i += 1)
    await enqueueEvent({ outbox, clock: host.clock, newId, deviceId: 'device-a' }, 'check-failed', {
      check: 'var-free-space',
      class: 'wanted',
      reason: 'below-threshold',
      message: `backlog ${i}`,
    });
  const size = outbox.size();
  await outbox.close();
  await host.close();
  if (size.events < BACKLOG) throw new Error(`the outbox kept ${size.events} of ${BACKLOG} events`);
}

interface DriverResult {
  cycles: number;
  warmup: number;
  events: number;
  seconds: number;
  msPerCycle: number;
  rssAfterBootMB: number;
  rssBeforeMB: number;
  rssAfterMB: number;
  growthPct: number;
  heapBeforeMB: number;
  heapAfterMB: number;
  heapGrowthPct: number;
  /** V8's committed heap, and RSS split into anonymous memory and mapped files, at the same two points. */
  heapTotalBeforeMB: number;
  heapTotalAfterMB: number;
  anonBeforeMB: number;
  anonAfterMB: number;
  fileBeforeMB: number;
  fileAfterMB: number;
  rssMaxMB: number;
  /** RSS after each tenth of the cycles (no GC forced). */
  rssCurveMB: number[];
}

/** Inside the device: the daemon's tasks, built as agent/commands/run/run.ts builds them. */
async function driver(): Promise<void> {
  const [{ createHost }, { loadConfig }, { createLogger }, { startHub }, { createDaemonTasks }, { version }] =
    await Promise.all([
      import('../agent/host/host.js'),
      import('../agent/config/load.js'),
      import('../agent/host/log.js'),
      import('../agent/hub/hub.js'),
      import('../agent/commands/run/daemon-tasks.js'),
      import('../agent/version.js'),
    ]);
  const known: { settings?: HostSettings } = {};
  const host = createHost({ settings: () => known.settings });
  const loaded = await loadConfig(host.fs);
  if (!loaded.config?.hub) throw new Error('no hub in the device config');
  const config = loaded.config;
  const log = createLogger({ level: 'warn' });
  known.settings = { kubeconfig: config.microshift.kubeconfig, bootsDir: config.boots.dir, warn: (m) => log.warn(m) };
  const controller = new AbortController();
  const records = await host.records();
  const hub = await startHub(config, host, log, version);
  if (!hub) throw new Error('no hub');
  const tasks = createDaemonTasks({
    host,
    config,
    log,
    signal: controller.signal,
    out: () => undefined,
    records,
    hub,
    cliPath: '',
  });
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  const sample = async () => {
    gc();
    gc();
    const m = process.memoryUsage();
    const status = await readFile('/proc/self/status', 'utf8');
    return {
      rss: m.rss / MB,
      heap: m.heapUsed / MB,
      heapTotal: m.heapTotal / MB,
      anon: statusKB(status, 'RssAnon') / 1024,
      file: statusKB(status, 'RssFile') / 1024,
    };
  };
  const drained = async () => {
    const deadline = Date.now() + 120_000;
    while (!hub.sink.state().connected || hub.outbox.size().events > 0) {
      if (Date.now() > deadline)
        throw new Error(`not drained: ${JSON.stringify(hub.sink.state())}, ${hub.outbox.size().events} queued`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  await tasks.boot();
  await drained();
  const bootId = (await host.fs.readText('/proc/sys/kernel/random/boot_id'))?.trim() ?? '';
  const afterBoot = await sample();
  let events = 0;
  const cycle = async (i: number) => {
    if (i % EVENT_EVERY === 0) {
      // A new wanted-check run with one failure: one new check-failed event for the hub.
      const at = new Date(Date.UTC(2030, 0, 1) + i).toISOString();
      await records.update(bootId, (r) => {
        r.checks.wanted = {
          startedAt: at,
          endedAt: at,
          results: [
            {
              id: 'var-free-space',
              class: 'wanted',
              startedAt: at,
              endedAt: at,
              durationMs: 1,
              outcome: 'fail',
              reason: 'below-threshold',
              message: `bench ${i}`,
            },
          ],
        };
      });
      events += 1;
    }
    await tasks.report();
  };
  const warmup = WARMUP;
  for (let i = 0; i < warmup; i += 1) await cycle(i + 1);
  await drained();
  const before = await sample();
  const started = Date.now();
  // RSS along the way, to tell a plateau (allocator arenas filling) from a leak (steady climb).
  const curve: number[] = [];
  const step = Math.max(1, Math.floor(CYCLES / 10));
  for (let i = 0; i < CYCLES; i += 1) {
    await cycle(warmup + i + 1);
    if ((i + 1) % step === 0) curve.push(round(process.memoryUsage().rss / MB, 1));
  }
  const seconds = (Date.now() - started) / 1000;
  await drained();
  const after = await sample();
  const result: DriverResult = {
    cycles: CYCLES,
    warmup,
    events,
    seconds: round(seconds, 1),
    msPerCycle: round((seconds * 1000) / CYCLES, 2),
    rssAfterBootMB: round(afterBoot.rss, 1),
    rssBeforeMB: round(before.rss, 1),
    rssAfterMB: round(after.rss, 1),
    growthPct: round(((after.rss - before.rss) / before.rss) * 100, 2),
    heapBeforeMB: round(before.heap, 1),
    heapAfterMB: round(after.heap, 1),
    heapGrowthPct: round(((after.heap - before.heap) / before.heap) * 100, 2),
    heapTotalBeforeMB: round(before.heapTotal, 1),
    heapTotalAfterMB: round(after.heapTotal, 1),
    anonBeforeMB: round(before.anon, 1),
    anonAfterMB: round(after.anon, 1),
    fileBeforeMB: round(before.file, 1),
    fileAfterMB: round(after.file, 1),
    rssMaxMB: Math.max(...curve),
    rssCurveMB: curve,
  };
  await hub.close({ timeoutMs: 5000 });
  await host.close();
  console.log(JSON.stringify(result));
}

async function measureDaemonPhase(device: VirtualDevice, nodeCommand: string[]) {
  const daemon = await measureDaemon(device);
  const floor = await measureNodeFloor(device, nodeCommand);
  console.log(
    `daemon RSS after start: ${daemon.rssMB} MB (peak ${daemon.hwmMB} MB; ${daemon.anonMB} MB anonymous, ${daemon.fileMB} MB of mapped files, mostly the node binary's own code and data) with the first runtime health check done (budget ${BUDGET_MB} MB, ratio ${round(daemon.rssMB / BUDGET_MB, 2)})`,
  );
  console.log(
    `  reference, same run: the same node and flags with the daemon's built-in modules loaded, doing nothing: ${floor.rssMB} MB (${floor.anonMB} MB anonymous, ${floor.fileMB} MB of mapped files); daemon / reference ${round(daemon.rssMB / floor.rssMB, 2)}, edge-agent's own share ${round(daemon.rssMB - floor.rssMB, 1)} MB`,
  );
  console.log(
    `  command: systemctl start edge-agent; grep -E 'VmRSS|VmHWM' /proc/$(systemctl show -p MainPID --value edge-agent)/status`,
  );
  console.log(
    `daemon RSS steady: ${daemon.steadyMB} MB, the most in the second half of ${IDLE_SEC} s left alone after that (budget ${BUDGET_MB} MB, ratio ${round(daemon.steadyMB / BUDGET_MB, 2)}); every ${IDLE_STEP_SEC} s: ${daemon.idleCurveMB.join(' ')}`,
  );
  console.log(`  with its child processes, peak while starting: ${describeTree(daemon.tree)}`);
  return { ...daemon, floor };
}

// The Node.js built-ins the daemon cannot do without (the hub's TLS with crypto, net and dns;
// child processes; files, readline for the journal, zlib, streams): the part of its RSS that is
// Node's own, whatever edge-agent does.
const DAEMON_BUILTINS = ['tls', 'net', 'dns', 'crypto', 'child_process', 'fs/promises', 'readline', 'zlib', 'stream'];

/** RSS of the unit's node and flags running nothing but the daemon's built-ins, read after 3 s as the daemon's is. */
async function measureNodeFloor(device: VirtualDevice, nodeCommand: string[]) {
  const script = `${DAEMON_BUILTINS.map((m) => `require('node:${m}');`).join('')}setTimeout(() => process.stdout.write(require('node:fs').readFileSync('/proc/self/status', 'utf8')), 3000);`;
  const run = await device.exec([...nodeCommand, '-e', script], { timeoutMs: 60_000 });
  const kb = (field: string) => statusKB(run.stdout, field);
  if (run.exitCode !== 0 || Number.isNaN(kb('VmRSS')))
    throw new Error(`the reference node process failed (exit ${run.exitCode}):\n${run.stdout}${run.stderr}`);
  return {
    rssMB: round(kb('VmRSS') / 1024, 1),
    anonMB: round(kb('RssAnon') / 1024, 1),
    fileMB: round(kb('RssFile') / 1024, 1),
  };
}

async function measureCyclesPhase(device: VirtualDevice, command: string[]) {
  progress(`daemon-rss: ${CYCLES} report cycles in a driver process in the device...`);
  const run = await device.exec(command, {
    env: {
      BENCH_DAEMON_DRIVER: '1',
      BENCH_CYCLES: String(CYCLES),
      BENCH_WARMUP: String(WARMUP),
      EDGE_AGENT_LOG_LEVEL: 'warn',
    },
    timeoutMs: 60 * 60_000,
  });
  const line = run.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .at(-1);
  if (run.exitCode !== 0 || !line)
    throw new Error(`the driver failed (exit ${run.exitCode}):\n${run.stdout}${run.stderr}`);
  const cycles = JSON.parse(line) as DriverResult;
  console.log(
    `report cycles: ${cycles.cycles} cycles (${cycles.events} events delivered) in ${cycles.seconds} s (${cycles.msPerCycle} ms each); ` +
      `RSS ${cycles.rssBeforeMB} MB after ${cycles.warmup} warm-up cycles -> ${cycles.rssAfterMB} MB after ${cycles.cycles} (growth ${cycles.growthPct} %, goal < 5 %); ` +
      `used heap ${cycles.heapBeforeMB} -> ${cycles.heapAfterMB} MB (growth ${cycles.heapGrowthPct} %)`,
  );
  console.log(
    `  where: V8's committed heap ${cycles.heapTotalBeforeMB} -> ${cycles.heapTotalAfterMB} MB; anonymous ${cycles.anonBeforeMB} -> ${cycles.anonAfterMB} MB (the heap, malloc); mapped files ${cycles.fileBeforeMB} -> ${cycles.fileAfterMB} MB (code of the node binary run so far)`,
  );
  console.log(
    `  RSS after each tenth of the cycles (no GC forced): ${cycles.rssCurveMB.join(', ')} MB; RSS after boot() ${cycles.rssAfterBootMB} MB`,
  );
  console.log(
    `  command (in the device): BENCH_DAEMON_DRIVER=1 BENCH_CYCLES=${CYCLES} BENCH_WARMUP=${WARMUP} ${command.join(' ')}`,
  );
  return cycles;
}

async function measureBusyPhase(device: VirtualDevice) {
  progress(`daemon-rss: the daemon with every task every 10 s for ${BUSY_SEC} s...`);
  const busy = await measureBusyDaemon(device);
  console.log(
    `busy daemon: RSS ${busy.firstMB} MB after 10 s, ${busy.quarterMB} MB after ${Math.round(BUSY_SEC / 4)} s, ${busy.lastMB} MB after ${BUSY_SEC} s (max ${busy.maxMB} MB; ` +
      `growth over the last three quarters ${busy.growthPct} %, goal < 5 %) with ${busy.healthRuns} runtime health checks seen`,
  );
  console.log(`  RSS every 10 s: ${busy.curveMB.join(', ')} MB`);
  console.log(`  with its child processes, peak while busy: ${describeTree(busy.tree)}`);
  return busy;
}

async function measureBacklogPhase(device: VirtualDevice, broker: TestBroker, command: string[]) {
  progress(`daemon-rss: the daemon draining ${BACKLOG} queued events...`);
  const backlog = await measureBacklog(device, broker, command);
  console.log(
    `backlog: ${backlog.events} queued events delivered to the broker in ${backlog.seconds} s after the daemon started; daemon peak RSS (VmHWM) ${backlog.hwmMB} MB (budget ${BUDGET_MB} MB, ratio ${round(backlog.hwmMB / BUDGET_MB, 2)}), RSS ${backlog.rssMB} MB once drained`,
  );
  console.log(`  with its child processes, peak while draining: ${describeTree(backlog.tree)}`);
  console.log(
    `  command: BENCH_DAEMON_DRIVER=fill BENCH_BACKLOG=${BACKLOG} (in the device, daemon stopped), then systemctl start edge-agent; VmHWM when a subscriber has them all`,
  );
  return backlog;
}

/** BENCH_PHASES: a comma-separated subset of the phases, all when unset. */
function phases(value: string | undefined): Set<(typeof PHASE_NAMES)[number]> {
  if (value === undefined || value.trim() === '') return new Set(PHASE_NAMES);
  const names = value.split(',').map((n) => n.trim());
  const unknown = names.filter((n) => !(PHASE_NAMES as readonly string[]).includes(n));
  if (unknown.length > 0)
    throw new Error(
      `BENCH_PHASES: unknown phase '${unknown[0]}'; expected a comma-separated subset of ${PHASE_NAMES.join(', ')}`,
    );
  return new Set(names as Array<(typeof PHASE_NAMES)[number]>);
}

/** A `NAME:   N kB` field of /proc/PID/status, in kB (NaN when absent). */
function statusKB(status: string, field: string): number {
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
}

function positiveInt(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`expected a positive whole number, got '${value}'`);
  return n;
}
