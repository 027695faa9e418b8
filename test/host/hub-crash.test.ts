// A publishing process killed with SIGKILL: the broker says `offline` for it (last will), and
// after a restart every event it had confirmed as queued reaches the hub (at least once, in
// order, a re-sent copy carrying the same id). The sink runs in a child process (node + tsx).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { HubEventSchema } from '../../agent/core/hub/payloads.js';
import { repoRoot } from '../harness/bundle.js';
import { eventually, startBroker, subscribe, type Subscriber, type TestBroker } from '../harness/mosquitto.js';

let broker: TestBroker;
let dir = '';
let childScript = '';
const children: ChildProcess[] = [];
const subscribers: Subscriber[] = [];

const source = (file: string) => pathToFileURL(join(repoRoot, file)).href;

// The child: one sink with its own outbox; `produce N` queues N events (printing each id once
// enqueue() resolved, i.e. once it is on disk), `serve` only connects and drains.
const childSource = () => `
import { ConfigSchema } from '${source('agent/config/schema.ts')}';
import { systemClock } from '${source('agent/host/clock.ts')}';
import { createHostFs } from '${source('agent/host/fs.ts')}';
import { resolveHubConnection } from '${source('agent/hub/hub-config.ts')}';
import { createMqttSink } from '${source('agent/hub/mqtt-sink.ts')}';
import { openOutbox } from '${source('agent/hub/outbox.ts')}';

const [mode, count, outboxDir] = process.argv.slice(2);
const fs = createHostFs('/');
const log = { info: (m) => process.stderr.write(m + '\\n'), warn: (m) => process.stderr.write(m + '\\n'), debug: () => undefined };
const hub = ConfigSchema.parse({ hub: JSON.parse(process.env.EDGE_TEST_HUB) }).hub;
const { connection } = await resolveHubConnection(hub, fs);
const outbox = await openOutbox(outboxDir, { maxBytes: 5 << 20, maxEvents: 10000 }, { fs, clock: systemClock, log });
process.stdout.write('recovered ' + outbox.size().events + '\\n');
const sink = createMqttSink({ connection, outbox, clock: systemClock, log, agentVersion: 'child', backoff: { initialMs: 100, maxMs: 1000 } });
sink.start();
sink.publishStatus({ verdict: 'green' });
for (let i = 0; mode === 'produce' && i < Number(count); i += 1) {
  const { id } = await sink.report('check-failed', { check: 'c', class: 'wanted', reason: 'r', message: String(i) });
  process.stdout.write('queued ' + id + '\\n');
}
setInterval(() => process.stdout.write('state ' + (sink.state().connected ? 'connected' : 'down') + ' ' + outbox.size().events + '\\n'), 100);
`;

beforeAll(async () => {
  broker = await startBroker();
  dir = await mkdtemp(join(tmpdir(), 'edge-hub-crash-'));
  childScript = join(dir, 'sink-child.mts');
  await writeFile(childScript, childSource());
});
afterAll(async () => {
  await broker?.cleanup();
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const sub of subscribers.splice(0)) await sub.close();
});

interface Child {
  proc: ChildProcess;
  lines: string[];
  exited: Promise<unknown>;
}

function startChild(device: string, mode: 'produce' | 'serve', count: number, outboxDir: string): Child {
  const files = broker.client(device);
  const hub = { url: broker.url, ca: broker.ca, cert: files.cert, key: files.key, statusMinIntervalSec: 1 };
  const proc = spawn(process.execPath, ['--import', 'tsx', childScript, mode, String(count), outboxDir], {
    cwd: repoRoot,
    env: { ...process.env, EDGE_TEST_HUB: JSON.stringify(hub) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(proc);
  const lines: string[] = [];
  let partial = '';
  proc.stdout?.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  });
  let stderr = '';
  proc.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal, stderr })));
  return { proc, lines, exited };
}

async function kill9(child: Child): Promise<void> {
  child.proc.kill('SIGKILL');
  await child.exited;
}

it('the broker publishes the retained last will `offline` when the sink process is killed', async () => {
  const outboxDir = join(dir, 'lwt-outbox');
  const sub = await subscribe(broker, ['edge/v1/device-b/online']);
  subscribers.push(sub);
  const child = startChild('device-b', 'serve', 0, outboxDir);
  await sub.until((m) => m.some((x) => x.payload === 'online'), 20_000);
  await kill9(child);
  await sub.until((m) => m[m.length - 1]?.payload === 'offline', 10_000);

  // And it stays that way for whoever looks later (retained).
  const late = await subscribe(broker, ['edge/v1/device-b/online']);
  subscribers.push(late);
  expect((await late.until((m) => m.length >= 1))[0]).toMatchObject({ payload: 'offline', retain: true });
});

it('loses nothing confirmed as queued when the publisher is killed mid-publish', async () => {
  const outboxDir = join(dir, 'kill-outbox');
  const sub = await subscribe(broker, ['edge/v1/device-a/events']);
  subscribers.push(sub);
  const producer = startChild('device-a', 'produce', 400, outboxDir);
  // Kill while events are still being queued and published.
  await sub.until((m) => m.length >= 40, 30_000);
  await kill9(producer);
  const confirmed = producer.lines.filter((l) => l.startsWith('queued ')).map((l) => l.slice(7));
  expect(confirmed.length).toBeGreaterThanOrEqual(40);
  const deliveredBeforeKill = new Set(sub.messages.map((m) => HubEventSchema.parse(JSON.parse(m.payload)).id)).size;

  const restarted = startChild('device-a', 'serve', 0, outboxDir);
  await eventually(
    () => confirmed.every((id) => sub.messages.some((m) => m.payload.includes(id))),
    30_000,
    'every confirmed event delivered',
  );
  await eventually(
    () => restarted.lines.some((l) => l.endsWith(' 0') && l.startsWith('state connected')),
    10_000,
    'outbox drained',
  );
  const recovered = Number(restarted.lines.find((l) => l.startsWith('recovered '))?.slice(10));

  // At least once, in order, duplicates byte-identical.
  const seen = new Map<string, string>();
  const order: number[] = [];
  for (const message of sub.messages) {
    const event = HubEventSchema.parse(JSON.parse(message.payload));
    const copy = seen.get(event.id);
    if (copy !== undefined) expect(message.payload).toBe(copy);
    else {
      seen.set(event.id, message.payload);
      order.push(Number((event.body as { message: string }).message));
    }
  }
  expect(order).toEqual(Array.from({ length: order.length }, (_, i) => i));
  expect(order.length).toBeGreaterThanOrEqual(confirmed.length);
  console.log(
    `kill -9: ${confirmed.length} confirmed, ${deliveredBeforeKill} delivered before the kill, ${recovered} recovered from the outbox, ${sub.messages.length - seen.size} duplicates after restart`,
  );
});
