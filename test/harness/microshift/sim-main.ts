// Entry point of the simulated `microshift run` process (bundled by install.ts, run by systemd).
//
// What it simulates: the process systemd supervises as microshift.service: it tells systemd it
// is ready (READY=1 through `systemd-notify`, hence NotifyAccess=all) when the scenario says,
// serves the API from the scenario's listen time, writes the pre-run failure log and exits with
// an error when scripted, re-reads its scenario on SIGHUP (`systemctl reload microshift`), and
// stops cleanly on SIGTERM. Its phase changes go to stdout, i.e. the unit's journal. What it
// leaves out: etcd, CRI-O, OVN and everything MicroShift really runs; the backup and restore
// that the pre-run really does.
//
// Each deployment can behave differently, as a new MicroShift in an update can: when
// /etc/microshift-sim/by-deployment/<version>.json exists for the booted deployment (from the
// rpm-ostree stand-in's state), it is used instead of --scenario.
//
// Usage: node microshift-sim.mjs --scenario FILE --certs DIR [--port 6443] [--host 127.0.0.1]
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { connect } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseScenario, type Scenario } from './scenario.js';
import { startApiServer, type ApiServer } from './server.js';
import { coreWorkloads, podName, stableUid } from './workloads.js';

const startedAt = Date.now();
const { values: args } = parseArgs({
  options: {
    scenario: { type: 'string', default: '/etc/microshift-sim/scenario.json' },
    certs: { type: 'string', default: '/etc/microshift-sim/certs' },
    port: { type: 'string', default: '6443' },
    host: { type: 'string', default: '127.0.0.1' },
    'backups-dir': { type: 'string', default: '/var/lib/microshift-backups' },
  },
});

// Synchronous writes: the journal's stdout is a socket, and async writes are lost on exit.
function log(line: string): void {
  try {
    writeSync(1, `microshift-sim: ${line} (t=${((Date.now() - startedAt) / 1000).toFixed(2)}s)\n`);
  } catch {
    // EAGAIN from a full journal stream: losing a log line is better than crashing the API.
  }
}

const byDeploymentDir = '/etc/microshift-sim/by-deployment';

/** The booted deployment's own scenario file, if the test gave it one. */
function deploymentScenario(): string | undefined {
  try {
    const state = JSON.parse(readFileSync('/var/lib/rpm-ostree-sim/state.json', 'utf8')) as {
      booted?: string;
      deployments?: { id: string; version: string }[];
    };
    const version = state.deployments?.find((d) => d.id === state.booted)?.version;
    const file = version ? join(byDeploymentDir, `${version}.json`) : undefined;
    return file && existsSync(file) ? file : undefined;
  } catch {
    return undefined;
  }
}

function loadScenario(): Scenario {
  const file = deploymentScenario() ?? args.scenario;
  if (file !== args.scenario) log(`using the booted deployment's scenario ${file}`);
  return parseScenario(JSON.parse(readFileSync(file as string, 'utf8')));
}

let scenario = loadScenario();
backUpData();

/**
 * MicroShift backs up its data on each start of an ostree system, as
 * /var/lib/microshift-backups/<deployment id>_<boot id>: the backup a pre-rollback restore
 * marker asks for. Only the directory is simulated (there is no data to copy).
 */
function backUpData(): void {
  try {
    if (!existsSync('/run/ostree-booted')) return;
    const state = JSON.parse(readFileSync('/var/lib/rpm-ostree-sim/state.json', 'utf8')) as { booted?: string };
    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim().replaceAll('-', '');
    if (!state.booted) return;
    mkdirSync(join(args['backups-dir'] as string, `${state.booted}_${bootId}`), { recursive: true });
    log(`backed up data as ${state.booted}_${bootId}`);
  } catch {
    // No rpm-ostree stand-in on this device: nothing to name the backup after.
  }
}
let server: ApiServer | undefined;
let listening = false;
let notified = false;
const timers: NodeJS.Timeout[] = [];

function at(ms: number | null, action: () => void): void {
  if (ms === null) return;
  timers.push(setTimeout(action, Math.max(0, ms - (Date.now() - startedAt))));
}

/** (Re)arm the process-level timeline; each step runs at most once per process. */
function schedule(): void {
  for (const timer of timers.splice(0)) clearTimeout(timer);
  const { process: proc, api } = scenario;
  at(proc.exitAfterMs, () => {
    log(`phase: exiting with status ${proc.exitCode} (scripted failure)`);
    process.exit(proc.exitCode);
  });
  at(api.listenAfterMs, () => {
    if (listening) return;
    listening = true;
    void listen();
  });
  at(scenario.workloads.createdAfterMs, runPodsInCrio);
  at(proc.activeAfterMs, () => {
    if (notified) return;
    notified = true;
    notifyReady();
  });
}

// The kubelet's side of CRI-O (test/harness/crio): once the workloads exist, ask the CRI-O
// stand-in to run their pods (it starts only those it does not run yet). Without its socket
// (no CRI-O on this device, or not up yet) ask again every second, as the kubelet retries.
// Every container runs as soon as its pod does; the scenario's container states are not mirrored.
const crioSocket = '/var/run/crio/crio.sock';

function runPodsInCrio(): void {
  const retry = () => void timers.push(setTimeout(runPodsInCrio, 1000));
  if (!existsSync(crioSocket)) return retry();
  const w = scenario.workloads;
  const extra = w.extra.map((e) => ({
    namespace: e.namespace,
    name: e.name,
    kind: e.kind,
    hostNetwork: false,
    containers: [{ name: e.container, image: e.image }],
  }));
  const pods = [...coreWorkloads(w.lvms), ...extra].map((workload) => {
    const name = podName(workload);
    return {
      namespace: workload.namespace,
      name,
      uid: stableUid(`pod/${workload.namespace}/${name}`),
      workload: workload.name,
      hostNetwork: Boolean(workload.hostNetwork),
      containers: workload.containers,
    };
  });
  const conn = connect(crioSocket, () =>
    conn.write(`${JSON.stringify({ method: 'RunPodSandboxes', params: { pods } })}\n`),
  );
  let reply = '';
  conn.on('data', (chunk) => (reply += chunk.toString('utf8')));
  conn.on('error', retry);
  conn.on('end', () => {
    let answer: { result?: { podSandboxIds: string[] }; error?: { desc: string } } = {};
    try {
      answer = JSON.parse(reply) as typeof answer;
    } catch {
      // no or half an answer: reported below
    }
    if (answer.result) log(`kubelet: CRI-O runs the pods (${answer.result.podSandboxIds.length} started)`);
    else log(`kubelet: CRI-O could not run the pods: ${answer.error?.desc ?? 'no answer'}`);
  });
}

async function listen(): Promise<void> {
  const dir = args.certs;
  const tls = {
    ca: readFileSync(join(dir, 'ca.crt'), 'utf8'),
    cert: readFileSync(join(dir, 'server.crt'), 'utf8'),
    key: readFileSync(join(dir, 'server.key'), 'utf8'),
  };
  try {
    server = await startApiServer({
      scenario,
      tls,
      port: Number(args.port),
      host: args.host,
      startedAt,
      nodeName: hostname(),
      log,
    });
  } catch (error) {
    log(`failed to listen: ${String(error)}`);
    process.exit(1);
  }
}

function notifyReady(): void {
  // Outside systemd (a test running the bundle by hand) there is nobody to notify.
  if (!process.env.NOTIFY_SOCKET) return log('phase: ready (no NOTIFY_SOCKET)');
  execFile('systemd-notify', ['--ready', `--status=scenario ${scenario.name}: started`], (error) => {
    log(error ? `systemd-notify failed: ${error.message}` : 'phase: ready, told systemd READY=1');
  });
}

/** Lines in the spirit of MicroShift's pre-run log: klog headers, then the reason it stopped. */
function writePrerunFailure(): void {
  const stamp = (d: Date) =>
    `${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')} ${d.toISOString().slice(11, 23)}000`;
  const now = new Date();
  const lines = [
    `I${stamp(now)} ${process.pid} prerun.go:79] "Pre-run procedure starting"`,
    `I${stamp(now)} ${process.pid} data_manager.go:137] "Found existing data" deployment="rhel-4b2c9a1e" bootID="${readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim().replaceAll('-', '')}"`,
    `E${stamp(now)} ${process.pid} prerun.go:141] "Version of existing data is newer than the executable" data="4.16.2" exec="4.15.14"`,
    `E${stamp(now)} ${process.pid} prerun.go:92] "Pre-run procedure failed" err="checking version compatibility: downgrade from 4.16 to 4.15 is not supported"`,
  ];
  mkdirSync(args['backups-dir'], { recursive: true });
  writeFileSync(join(args['backups-dir'], 'prerun_failed.log'), `${lines.join('\n')}\n`);
  log('pre-run failed: checking version compatibility: downgrade from 4.16 to 4.15 is not supported');
}

log(`starting: scenario "${scenario.name}", pid ${process.pid}`);
if (scenario.process.prerunFailure) writePrerunFailure();
schedule();

process.on('SIGHUP', () => {
  try {
    scenario = loadScenario();
  } catch (error) {
    return log(`reload failed, keeping scenario "${scenario.name}": ${String(error)}`);
  }
  log(`reloaded: scenario "${scenario.name}"`);
  server?.setScenario(scenario);
  schedule();
});

process.on('SIGTERM', () => {
  log('phase: stopping (SIGTERM)');
  void (server?.close() ?? Promise.resolve()).then(() => process.exit(0));
});
