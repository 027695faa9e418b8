// Benchmark: the outbox's promise under kill -9 (DESIGN.md: 0 events lost that were confirmed as
// queued, whatever instant the process dies at). A writer process queues events and delivers
// them in small batches (peek, hand over, ack) and is killed -9 at a random instant
// BENCH_KILLS times (default 200); the next one reopens the same outbox. At the end a last
// process delivers what is left. Prints events confirmed, delivered, lost (goal 0), duplicates
// (re-sent after a kill before their ack: allowed, at least once) and re-sent after an ack
// resolved (goal 0). A figure, not a pass/fail; needs no root.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { round } from './lib/figures.js';
import { bundleHarnessProgram } from '../test/harness/bundle.js';

const KILLS = positiveInt(process.env.BENCH_KILLS, 200);
const MAX_RUN_MS = positiveInt(process.env.BENCH_MAX_RUN_MS, 150);

interface Tally {
  confirmed: Set<string>;
  deliveries: Map<string, number>;
  acked: Set<string>;
  resentAfterAck: number;
  warnings: string[];
}

function runChild(
  program: string,
  mode: 'work' | 'drain',
  dir: string,
  tally: Tally,
  killAfterMs?: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [program, mode, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let partial = '';
    const take = (line: string) => {
      const [what, id] = line.split(' ') as [string, string];
      if (what === 'ready' && killAfterMs !== undefined) setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      else if (what === 'q') tally.confirmed.add(id);
      else if (what === 'd') {
        if (tally.acked.has(id)) tally.resentAfterAck++;
        tally.deliveries.set(id, (tally.deliveries.get(id) ?? 0) + 1);
      } else if (what === 'a') tally.acked.add(id);
    };
    child.stdout.on('data', (chunk: Buffer) => {
      const parts = (partial + chunk.toString()).split('\n');
      partial = parts.pop() ?? '';
      parts.forEach(take);
    });
    child.stderr.on('data', (chunk: Buffer) => tally.warnings.push(...chunk.toString().trim().split('\n')));
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(guard);
      if (partial) take(partial);
      resolve();
    });
  });
}

async function main(): Promise<number> {
  const program = await bundleHarnessProgram('test/harness/records/outbox-child.ts', 'outbox-child');
  const dir = await mkdtemp(join(tmpdir(), 'edge-bench-outbox-kills-'));
  const tally: Tally = {
    confirmed: new Set(),
    deliveries: new Map(),
    acked: new Set(),
    resentAfterAck: 0,
    warnings: [],
  };
  try {
    console.log(
      `outbox-kills: ${KILLS} kill -9 of an outbox writer/deliverer (each after 0-${MAX_RUN_MS} ms of work), then one drain`,
    );
    const started = performance.now();
    for (let kill = 0; kill < KILLS; kill++)
      await runChild(program, 'work', dir, tally, Math.floor(Math.random() * MAX_RUN_MS));
    await runChild(program, 'drain', dir, tally);
    const seconds = (performance.now() - started) / 1000;
    const lost = [...tally.confirmed].filter((id) => !tally.deliveries.has(id)).length;
    const deliveries = [...tally.deliveries.values()].reduce((a, b) => a + b, 0);
    const summary = {
      bench: 'outbox-kills',
      kills: KILLS,
      eventsConfirmed: tally.confirmed.size,
      eventsDelivered: tally.deliveries.size,
      deliveries,
      lost,
      duplicates: deliveries - tally.deliveries.size,
      resentAfterAck: tally.resentAfterAck,
      warnings: tally.warnings.length,
      seconds: round(seconds, 1),
    };
    console.log(
      `kills ${KILLS}; events confirmed ${summary.eventsConfirmed}, delivered ${summary.eventsDelivered} (${deliveries} deliveries), lost ${lost} (goal 0), duplicates ${summary.duplicates}, re-sent after ack ${summary.resentAfterAck} (goal 0); outbox warnings ${summary.warnings}; ${summary.seconds} s`,
    );
    for (const warning of tally.warnings.slice(0, 5)) console.log(`  warning: ${warning}`);
    console.log(JSON.stringify(summary));
    return 0;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function positiveInt(text: string | undefined, fallback: number): number {
  const value = Number(text);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

process.exitCode = await main();
