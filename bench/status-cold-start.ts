// Benchmark: cold start of `edge-agent status` from the installed bundle against `node -e 0` on
// the same machine in the same run. Budget (DESIGN.md): median ratio ≤ 2.0. A figure, not a test.
//
// Where: inside a virtual edge device (real systemd and system D-Bus, bash greenboot, the
// simulated MicroShift, edge-agent installed as /usr/bin/edge-agent, booted and settled green).
// Not on the host with EDGE_AGENT_ROOT: the host has no system bus and no greenboot units, so the
// D-Bus probe, a real part of the cost, would fail fast and flatter the figure.
//
// How: hyperfine (-N, no shell) inside the device, the two commands measured in the same
// invocation, in several rounds so a noisy neighbour hurts both alike; every run is a new process
// (cold start: nothing of edge-agent is resident; the page cache is warm, as on a device where
// someone just typed the command). Without hyperfine, an interleaved spawnSync loop in the device.
//
// Rows (the first three are the paths a person hits, each against the budget):
//   steady      root, on a device where edge-agent runs: the real daemon (edge-agent.service) up,
//               its runtime health check done, rpm-ostree's answer cached in /run. Status asks the
//               daemon, which gathers the facts afresh and answers on its socket (the bench checks
//               that it did: agent.daemon.answered in the JSON).
//   user        the same device, status run by an ordinary user (setpriv to nobody, which adds one
//               exec): it prints the snapshot the daemon keeps in /run/edge-agent/status.json (the
//               bench checks that it did).
//   no-daemon   root, the daemon stopped: status gathers everything itself, and asks the MicroShift
//               API (loads the API module); rpm-ostree's answer is still cached in /run.
//   no-cache    the rpm-ostree cache removed too: status runs rpm-ostree (here the harness
//               stand-in, itself a Node program, so this row overstates a real host's cost of
//               process start but understates rpm-ostreed's D-Bus activation). Reported only.
//   in-process  daemon up, root, status gathering in its own process (EDGE_AGENT_STATUS_DAEMON=0),
//               MicroShift's state from the daemon's look in daemon.json: root with a busy daemon.
//   no-api      daemon stopped, microshift.service stopped: no-daemon without the API probe
//               (and without the API module), to show what that probe costs.
//   version     `edge-agent --version`: the floor of any command (the CLI entry alone).
// Where the daemon-stopped time goes, each on its own against `node -e 0` (the daemon's stop takes
// /run/edge-agent, the rpm-ostree cache with it, so status without the daemon asks rpm-ostree):
//   api-module  importing the chunk of the MicroShift API client, which asking the API needs;
//   rpm-ostree  one `rpm-ostree status --json` (the stand-in).
// The stand-in's sysroot has no /ostree/deploy; the bench creates the directories a real sysroot
// has (/ostree/deploy/rhel/deploy, /boot/loader/entries) so the cache works as on a device.
//
// Env: BENCH_ROUNDS (default 5) x BENCH_RUNS (default 10) runs per row; BENCH_STATUS_DIST: a
// bundle directory (with edge-agent.cjs, under the repo so the device sees it) to measure instead of a
// build of the working tree, e.g. one built with a proposed change elsewhere.
import { execa } from 'execa';
import { withDevice, sourceRevision, type VirtualDevice } from './lib/device.js';
import { useAgentBundle } from '../test/harness/install-agent.js';
import { median, progress, round } from './lib/figures.js';
import { scenario } from '../test/harness/microshift/scenario.js';

const ROUNDS = positiveInt(process.env.BENCH_ROUNDS, 5);
const RUNS = positiveInt(process.env.BENCH_RUNS, 10);
const BUDGET_RATIO = 2.0;
const BUDGETED = ['steady', 'user', 'no-daemon'];
const AS_NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
const OWN = 'env EDGE_AGENT_STATUS_DAEMON=0';

interface Row {
  name: string;
  command: string[];
  prepare?: string;
  statusMs: number[];
  nodeMs: number[];
}

async function main(): Promise<void> {
  const revision = await sourceRevision();
  let trace: string[] = [];
  const hyperfine = (await execa('hyperfine', ['--version'], { reject: false })).exitCode === 0;
  const figures = await withDevice(
    {
      microshift: scenario('healthy'),
      config: 'microshift:\n  waitTimeoutSec: 60\n  restartWindowSec: 10\n',
      boot: 'settle',
    },
    async (device) => {
      if (process.env.BENCH_STATUS_DIST) await useAgentBundle(device, process.env.BENCH_STATUS_DIST);
      await device.sh('mkdir -p /ostree/deploy/rhel/deploy /boot/loader/entries');
      await startDaemon(device);
      const launcher = await device.readFile('/usr/bin/edge-agent');
      const first = await device.exec(['edge-agent', 'status', '--json']);
      const answered =
        (JSON.parse(first.stdout) as { agent?: { daemon?: { answered?: boolean } } }).agent?.daemon?.answered === true;
      progress(`status in the device exits ${first.exitCode}, answered by the daemon: ${answered}`);
      if (!answered) throw new Error('the daemon did not answer status: the steady row would measure something else');
      const user = await device.exec([...AS_NOBODY, 'edge-agent', 'status', '--json']);
      const shared =
        (JSON.parse(user.stdout) as { agent?: { daemon?: { answered?: boolean } } }).agent?.daemon?.answered === true;
      if (!shared)
        throw new Error(
          "an ordinary user did not get the daemon's snapshot: the user row would measure something else",
        );
      // Two phases, so no row sees another's leftovers: with the daemon up, then with it stopped
      // (a daemon keeps rewriting daemon.json, which the no-daemon rows must not find).
      const withDaemon: Row[] = [
        { name: 'steady', command: ['edge-agent', 'status'], statusMs: [], nodeMs: [] },
        { name: 'user', command: [...AS_NOBODY, 'edge-agent', 'status'], statusMs: [], nodeMs: [] },
        { name: 'in-process', command: [...OWN.split(' '), 'edge-agent', 'status'], statusMs: [], nodeMs: [] },
        { name: 'version', command: ['edge-agent', '--version'], statusMs: [], nodeMs: [] },
      ];
      const without: Row[] = [
        { name: 'no-daemon', command: ['edge-agent', 'status'], statusMs: [], nodeMs: [] },
        {
          name: 'no-cache',
          command: ['edge-agent', 'status'],
          prepare: 'rm -f /run/edge-agent/deployments.json',
          statusMs: [],
          nodeMs: [],
        },
      ];
      const chunk = (await device.sh('ls /usr/libexec/edge-agent/chunks/ | grep ^microshift-api-')).trim();
      const split: Row[] = [
        {
          name: 'api-module',
          command: ['node', '-e', `import('/usr/libexec/edge-agent/chunks/${chunk}')`],
          statusMs: [],
          nodeMs: [],
        },
        { name: 'rpm-ostree', command: ['rpm-ostree', 'status', '--json'], statusMs: [], nodeMs: [] },
      ];
      const noApi: Row[] = [{ name: 'no-api', command: ['edge-agent', 'status'], statusMs: [], nodeMs: [] }];
      await measureRows(device, withDaemon, hyperfine, 'daemon up');
      await device.exec(['systemctl', 'stop', 'edge-agent.service']);
      if (device.exists('/run/edge-agent/daemon.json'))
        throw new Error('daemon.json is still there with the daemon stopped');
      await measureRows(device, without, hyperfine, 'daemon stopped');
      await measureRows(device, split, hyperfine, 'where the time goes');
      // One traced run: when each source started and ended on status's own clock (see
      // commands/status/limit.ts), so the no-daemon row's time can be read source by source.
      const traced = await device.exec(['env', 'EDGE_AGENT_STATUS_TRACE=1', 'edge-agent', 'status']);
      trace = traced.stderr
        .split('\n')
        .filter((l) => l.startsWith('status trace: '))
        .map((l) => l.replace('status trace: ', '  '));
      await device.exec(['systemctl', 'stop', 'microshift.service']);
      await measureRows(device, noApi, hyperfine, 'daemon and MicroShift stopped');
      const rows = [...withDaemon, ...without, ...noApi, ...split];
      return { rows, launcher: launcher.trim().split('\n').pop() ?? '' };
    },
  );

  const tool = hyperfine
    ? `hyperfine -N -i --warmup 2 --runs ${RUNS} --prepare <row's prepare> 'node -e 0' '<command>'`
    : `interleaved spawnSync loop, ${RUNS} runs`;
  process.stdout.write(
    `status cold start inside a virtual edge device, ${ROUNDS} rounds x ${RUNS} runs per row (${tool}); source ${revision}\n`,
  );
  process.stdout.write(`installed launcher: ${figures.launcher}\n`);
  for (const row of figures.rows) {
    const s = median(row.statusMs);
    const n = median(row.nodeMs);
    const budget = BUDGETED.includes(row.name)
      ? ` (budget ${BUDGET_RATIO.toFixed(1)}: ${ratioOf(row) <= BUDGET_RATIO ? 'within' : 'OVER'})`
      : '';
    process.stdout.write(
      `${row.name.padEnd(10)} ${row.command.join(' ').padEnd(24)} median ${round(s, 1)} ms vs node -e 0 ${round(n, 1)} ms: ratio ${ratioOf(row).toFixed(2)}${budget}\n`,
    );
  }
  process.stdout.write(
    `no-daemon, one traced run (ms since Node started; +ms each source took):\n${trace.join('\n')}\n`,
  );
  const steady = figures.rows[0] as Row;
  const summary = {
    bench: 'status-cold-start',
    ratio: round(ratioOf(steady), 2),
    budget: BUDGET_RATIO,
    statusMedianMs: round(median(steady.statusMs), 1),
    nodeMedianMs: round(median(steady.nodeMs), 1),
    withinBudget: figures.rows.filter((r) => BUDGETED.includes(r.name)).every((r) => ratioOf(r) <= BUDGET_RATIO),
    rows: Object.fromEntries(figures.rows.map((r) => [r.name, round(ratioOf(r), 2)])),
    runs: ROUNDS * RUNS,
    tool: hyperfine ? 'hyperfine' : 'loop',
    revision,
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

async function measureRows(device: VirtualDevice, rows: Row[], hyperfine: boolean, phase: string): Promise<void> {
  for (let round = 1; round <= ROUNDS; round++) {
    for (const row of rows) {
      const { status, node } = hyperfine ? await measureWithHyperfine(device, row) : await measureWithLoop(device, row);
      row.statusMs.push(...status);
      row.nodeMs.push(...node);
    }
    progress(`${phase}, round ${round}/${ROUNDS}: ${rows.map((r) => `${r.name} ${ratioOf(r).toFixed(2)}`).join(', ')}`);
  }
}

function ratioOf(row: Row): number {
  return row.statusMs.length && row.nodeMs.length ? median(row.statusMs) / median(row.nodeMs) : Number.NaN;
}

async function measureWithHyperfine(device: VirtualDevice, row: Row): Promise<{ status: number[]; node: number[] }> {
  const out = `/run/bench-${row.name}.json`;
  const prepare = row.prepare ?? 'true';
  const args = [
    'hyperfine',
    '-N',
    '-i',
    '--style',
    'none',
    '--warmup',
    '2',
    '--runs',
    String(RUNS),
    '--prepare',
    prepare,
    '--prepare',
    prepare,
    '--export-json',
    out,
    'node -e 0',
    row.command.join(' '),
  ];
  const result = await device.exec(args, { timeoutMs: 600_000 });
  if (result.exitCode !== 0) throw new Error(`hyperfine failed (${result.exitCode}): ${result.stderr.trim()}`);
  const report = JSON.parse(await device.readFile(out)) as { results: { times: number[] }[] };
  const [node, status] = report.results.map((r) => r.times.map((t) => t * 1000));
  return { status: status ?? [], node: node ?? [] };
}

/** Without hyperfine: alternate the two commands, timed inside the device by one Node process. */
async function measureWithLoop(device: VirtualDevice, row: Row): Promise<{ status: number[]; node: number[] }> {
  const script = `
    const { spawnSync } = require('node:child_process');
    const time = (argv) => { const t = process.hrtime.bigint(); spawnSync(argv[0], argv.slice(1), { stdio: 'ignore' }); return Number(process.hrtime.bigint() - t) / 1e6; };
    const prepare = ${JSON.stringify(row.prepare ?? '')};
    const run = (argv) => { if (prepare) spawnSync('sh', ['-c', prepare]); return time(argv); };
    const out = { status: [], node: [] };
    for (let i = 0; i < 2; i++) { run(['node', '-e', '0']); run(${JSON.stringify(row.command)}); }
    for (let i = 0; i < ${RUNS}; i++) { out.node.push(run(['node', '-e', '0'])); out.status.push(run(${JSON.stringify(row.command)})); }
    process.stdout.write(JSON.stringify(out));`;
  const result = await device.exec(['node', '-e', script], { timeoutMs: 600_000 });
  return JSON.parse(result.stdout) as { status: number[]; node: number[] };
}

/** What the daemon keeps in /run/edge-agent/daemon.json, with MicroShift just checked. */
/** The real daemon, up with its first runtime health check done (MicroShift's look in daemon.json). */
async function startDaemon(device: VirtualDevice): Promise<void> {
  const start = await device.exec(['systemctl', 'start', 'edge-agent.service']);
  if (start.exitCode !== 0) throw new Error(`edge-agent.service did not start: ${start.stderr.trim()}`);
  const deadline = Date.now() + 90_000;
  for (;;) {
    const state = await device.readFile('/run/edge-agent/daemon.json').catch(() => '{}');
    if ((JSON.parse(state) as { microshift?: unknown }).microshift) return;
    if (Date.now() > deadline) throw new Error('the daemon wrote no look at MicroShift within 90 s');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function positiveInt(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

main().catch((error: unknown) => {
  process.stderr.write(
    `status-cold-start failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
