// Hub service figures at fleet scale, on a loopback Mosquitto (anonymous, loopback only, its
// queue limits raised as packaging/docs/hub.md says): N simulated devices' retained status and
// online messages (BENCH_HUB_DEVICES, default 100 000), then
//   - cold: the service started on an empty embedded store, until it holds every device;
//   - ingest: BENCH_HUB_EVENTS events (default 50 000) queued in its session while it is
//     stopped, then drained by the restarted service (one Node process, so one core);
//   - pages: overview and device-list API and dashboard pages, median of 20;
//   - RSS of the service process (VmRSS, VmHWM);
//   - `edge-agent fleet --broker` completeness and time at 20 000 and N, `fleet --hub` at N.
// Bounded: everything stops after BENCH_HUB_MAX_SEC (default 600). Needs Node 22.5+ for the
// service (EDGE_AGENT_NODE22, or ~/.cache/edge-agent/node22/bin/node, or this node).
import { execa } from 'execa';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'mqtt';
import { toWireEvent, toWireStatus } from '../agent/core/hub/payloads.js';
import { createIdGenerator } from '../agent/hub/event-id.js';
import { buildAgent } from '../test/harness/agent-build.js';

const N = Number(process.env.BENCH_HUB_DEVICES ?? 100_000);
const EVENTS = Number(process.env.BENCH_HUB_EVENTS ?? 50_000);
const MAX_MS = Number(process.env.BENCH_HUB_MAX_SEC ?? 600) * 1000;
const node22 =
  [process.env.EDGE_AGENT_NODE22, join(homedir(), '.cache/edge-agent/node22/bin/node')].find(
    (p) => p && existsSync(p),
  ) ?? process.execPath;
const started = Date.now();
const children: ChildProcess[] = [];
const deadline = setTimeout(() => {
  process.stderr.write(`hub-service bench: over ${MAX_MS / 1000} s, stopping\n`);
  for (const child of children) child.kill('SIGKILL');
  process.exit(1);
}, MAX_MS);

const id = (i: number) => `dev-${String(i).padStart(6, '0')}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

function rssOf(pid: number): { rssMb: number; hwmMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rssMb: Math.round(kb('VmRSS') / 1024), hwmMb: Math.round(kb('VmHWM') / 1024) };
}

async function publishAll(url: string, messages: Iterable<[string, string, boolean]>): Promise<void> {
  const client = await connect(url, { protocolVersion: 5, clientId: `bench-pub-${process.pid}`, writeCache: false }).on(
    'error',
    () => undefined,
  );
  await new Promise((resolve) => client.once('connect', resolve));
  let pending: Promise<unknown>[] = [];
  for (const [topic, payload, retain] of messages) {
    pending.push(client.publishAsync(topic, payload, { qos: 1, retain }));
    if (pending.length >= 500) {
      await Promise.all(pending);
      pending = [];
    }
  }
  await Promise.all(pending);
  await client.endAsync();
}

function* fleetMessages(count: number): Generator<[string, string, boolean]> {
  for (let i = 0; i < count; i += 1) {
    const device = id(i);
    const verdict = i % 100 === 0 ? 'red' : i % 50 === 1 ? 'checking' : 'green';
    const status = toWireStatus(
      { booted: { version: `9.4.${i % 5}`, checksum: 'a1b2c3d4e5f6' }, verdict, attempt: { n: 1, max: 3 } },
      { device, agent: '0.1.0', outbox: { queued: 0, dropped: 0 }, updatedAt: new Date().toISOString() },
    );
    yield [`edge/v1/${device}/status`, JSON.stringify(status), true];
    yield [`edge/v1/${device}/online`, i % 40 === 0 ? 'offline' : 'online', true];
  }
}

async function startService(config: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(node22, [cliPath, 'hub', '--config', config], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (\S+)/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`edge-agent hub exited ${code}`)));
  });
  return { child, url };
}

async function getJson<T>(url: string): Promise<T> {
  return (await (await fetch(url)).json()) as T;
}

async function waitUntil(check: () => Promise<boolean>, what: string): Promise<void> {
  while (!(await check())) {
    if (Date.now() - started > MAX_MS) throw new Error(`gave up waiting for ${what}`);
    await sleep(100);
  }
}

async function median(url: string, runs = 20): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const t0 = performance.now();
    const response = await fetch(url);
    await response.text();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return Math.round((times[Math.floor(runs / 2)] ?? 0) * 10) / 10;
}

async function fleetRun(args: string[]): Promise<{ devices: number; exitCode: number; seconds: number; note: string }> {
  const t0 = performance.now();
  const result = await execa(node22, [cliPath, 'fleet', ...args, '--json'], { reject: false, maxBuffer: 512 << 20 });
  const seconds = Math.round((performance.now() - t0) / 100) / 10;
  let devices = -1;
  try {
    devices = (JSON.parse(result.stdout) as unknown[]).length;
  } catch {
    /* reported as -1 */
  }
  return {
    devices,
    exitCode: result.exitCode ?? -1,
    seconds,
    note: `${result.stderr.trim().split('\n').pop() ?? ''}${devices < 0 ? ` stdout: ${result.stdout.slice(0, 120)}` : ''}`,
  };
}

let cliPath = '';
const dir = await mkdtemp(join(tmpdir(), 'edge-hub-bench-'));
try {
  cliPath = await buildAgent();
  const port = await freePort();
  // Queue and in-flight limits off: the defaults (1000 queued) silently drop most of a large
  // fleet's retained burst and the events queued for a stopped hub (packaging/docs/hub.md).
  await writeFile(
    join(dir, 'mosquitto.conf'),
    `listener ${port} 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\nmax_queued_bytes 0\nmax_inflight_messages 0\npersistence false\nlog_dest none\n`,
  );
  const broker = spawn('/usr/sbin/mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
  children.push(broker);
  await sleep(300);
  const mqttUrl = `mqtt://127.0.0.1:${port}`;
  const hubYaml = join(dir, 'hub.yaml');
  await writeFile(
    hubYaml,
    `broker:\n  url: ${mqttUrl}\n  allowInsecure: true\nstore:\n  kind: sqlite\n  path: ${join(dir, 'hub.db')}\nhttp:\n  port: 0\n`,
  );

  const fleet20k =
    N >= 20_000
      ? await (async () => {
          await publishAll(mqttUrl, fleetMessages(20_000));
          return fleetRun(['--broker', mqttUrl, '--allow-insecure']);
        })()
      : undefined;
  const t0 = performance.now();
  await publishAll(mqttUrl, fleetMessages(N));
  const publishSec = (performance.now() - t0) / 1000;

  // Cold: empty store, every retained message to take in.
  let service = await startService(hubYaml);
  const coldStart = performance.now();
  await waitUntil(async () => {
    const o = await getJson<{ devices: number; online: number; offline: number; verdicts: Record<string, number> }>(
      `${service.url}/api/v1/overview`,
    );
    return o.devices >= N && o.online + o.offline >= N && o.verdicts.unknown === 0;
  }, 'every device held');
  const coldSec = (performance.now() - coldStart) / 1000;
  const rssAfterCold = rssOf(service.child.pid ?? 0);

  const pages = {
    apiOverviewMs: await median(`${service.url}/api/v1/overview`),
    apiDevicesFirstMs: await median(`${service.url}/api/v1/devices?limit=100`),
    apiDevicesDeepMs: await median(
      `${service.url}/api/v1/devices?limit=100&cursor=${Buffer.from(id(Math.floor(N * 0.9))).toString('base64url')}`,
    ),
    apiDevicesSearchMs: await median(`${service.url}/api/v1/devices?limit=100&q=12345`),
    apiDevicesRedMs: await median(`${service.url}/api/v1/devices?limit=100&filter=red`),
    dashboardOverviewMs: await median(`${service.url}/`),
    dashboardListMs: await median(`${service.url}/devices`),
  };

  // Ingest: events queued in the stopped service's session, then drained.
  service.child.kill('SIGTERM');
  await new Promise((resolve) => service.child.once('exit', resolve));
  const nextId = createIdGenerator({ now: Date.now });
  const events = function* (): Generator<[string, string, boolean]> {
    for (let i = 0; i < EVENTS; i += 1) {
      const device = id(i % N);
      yield [
        `edge/v1/${device}/events`,
        toWireEvent(
          {
            id: nextId(),
            type: 'check-failed',
            time: new Date().toISOString(),
            body: { check: 'disk', class: 'wanted', reason: 'below-threshold' },
          },
          device,
        ),
        false,
      ];
    }
  };
  await publishAll(mqttUrl, events());
  service = await startService(hubYaml);
  const ingestStart = performance.now();
  const dbCount = async () => {
    const { stdout } = await execa(node22, [
      '--no-warnings',
      '-e',
      `const {DatabaseSync}=require('node:sqlite');const db=new DatabaseSync(${JSON.stringify(join(dir, 'hub.db'))},{readOnly:true});console.log(db.prepare('select count(*) n from events').get().n)`,
    ]);
    return Number(stdout);
  };
  await waitUntil(async () => (await dbCount()) >= EVENTS, 'every event stored');
  const ingestSec = (performance.now() - ingestStart) / 1000;
  const rssAfterIngest = rssOf(service.child.pid ?? 0);

  const fleetN = await fleetRun(['--broker', mqttUrl, '--allow-insecure']);
  const fleetHub = await fleetRun(['--hub', service.url]);
  service.child.kill('SIGTERM');

  const summary = {
    bench: 'hub-service',
    node: (await execa(node22, ['--version'])).stdout,
    devices: N,
    publishSec: round(publishSec),
    coldHoldAllSec: round(coldSec),
    goalColdSec: 30,
    events: EVENTS,
    ingestSec: round(ingestSec),
    ingestPerSec: Math.round(EVENTS / ingestSec),
    goalIngestPerSec: 5000,
    pages,
    goalPageMs: 200,
    rssAfterColdMb: rssAfterCold.rssMb,
    rssAfterIngestMb: rssAfterIngest.rssMb,
    peakRssMb: rssAfterIngest.hwmMb,
    fleetBroker20k: fleet20k,
    fleetBrokerN: fleetN,
    fleetHubN: fleetHub,
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
} finally {
  clearTimeout(deadline);
  for (const child of children) child.kill('SIGTERM');
  await rm(dir, { recursive: true, force: true });
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
