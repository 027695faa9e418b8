// Benchmark: boot-record writers against a record lock whose holder keeps getting killed -9.
// Each round a writer takes the lock (and leaves a temp file, as one killed between its temp
// write and its rename would), is killed, and BENCH_WRITERS (default 6) writers then make
// BENCH_PER_WRITER (default 2) updates each, all starting at once. BENCH_KILLS rounds (default
// 200). Prints record updates confirmed, kept, lost (goal 0), and leftovers in the boots dir.
// A figure, not a pass/fail; needs no root.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { round } from './lib/figures.js';
import {
  killWriter,
  staleLockRound,
  startRecordWriter,
  type RecordWriter,
} from '../test/harness/records/record-writers.js';

const KILLS = positiveInt(process.env.BENCH_KILLS, 200);
const WRITERS = positiveInt(process.env.BENCH_WRITERS, 6);
const PER_WRITER = positiveInt(process.env.BENCH_PER_WRITER, 2);
const DIR = '/var/lib/edge-agent/boots';
const BOOT = 'cd'.repeat(16);

async function main(): Promise<number> {
  const root = await mkdtemp(join(tmpdir(), 'edge-bench-record-lock-'));
  const writers: RecordWriter[] = [];
  try {
    for (let i = 0; i < WRITERS; i++) writers.push(await startRecordWriter(root, DIR, BOOT));
    const readCounter = async () => {
      const text = await readFile(join(root, DIR, `${BOOT}.json`), 'utf8').catch(() => undefined);
      return text === undefined ? 0 : ((JSON.parse(text) as { counter?: number }).counter ?? 0);
    };
    console.log(
      `record-lock-kills: ${KILLS} rounds of (kill -9 the lock holder, then ${WRITERS} writers x ${PER_WRITER} updates at once)`,
    );
    const started = performance.now();
    let lost = 0;
    let roundsWithLoss = 0;
    let errors = 0;
    let slowest = 0;
    for (let round = 0; round < KILLS; round++) {
      const result = await staleLockRound({
        root,
        dir: DIR,
        bootId: BOOT,
        writers,
        perWriter: PER_WRITER,
        readCounter,
      });
      lost += Math.max(0, result.lost);
      if (result.lost !== 0) roundsWithLoss++;
      errors += result.errors.length;
      slowest = Math.max(slowest, result.ms);
    }
    const seconds = (performance.now() - started) / 1000;
    const left = (await readdir(join(root, DIR))).filter((n) => n.endsWith('.tmp') || n.endsWith('.new'));
    const summary = {
      bench: 'record-lock-kills',
      kills: KILLS,
      updatesConfirmed: KILLS * WRITERS * PER_WRITER - errors * PER_WRITER,
      updatesKept: await readCounter(),
      updatesLost: lost,
      roundsWithLoss,
      writerErrors: errors,
      leftoverTempFiles: left.length,
      slowestRoundMs: round(slowest),
      seconds: round(seconds, 1),
    };
    console.log(
      `kills ${KILLS}; updates confirmed ${summary.updatesConfirmed}, kept ${summary.updatesKept}, lost ${lost} (goal 0) in ${roundsWithLoss} rounds; writer errors ${errors}; temp files left ${left.length}; slowest round ${summary.slowestRoundMs} ms; ${summary.seconds} s`,
    );
    console.log(JSON.stringify(summary));
    return 0;
  } finally {
    for (const writer of writers) await killWriter(writer);
    await rm(root, { recursive: true, force: true });
  }
}

function positiveInt(text: string | undefined, fallback: number): number {
  const value = Number(text);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

process.exitCode = await main();
