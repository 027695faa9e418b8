// Benchmark: how soon `edge-agent check` notices that MicroShift became ready, and how soon it
// fails on a terminal state. Figures against the budgets of DESIGN.md, not a timed test:
//   readiness detection  ≤ 1 s after the API reports ready;
//   fail fast            ≤ 2 s after the terminal state (unit failed, crash loop, pre-run failure,
//                        and a permanent image pull error).
// With the default crashLoopRestarts (3), `unit-fails` (dies at once, systemd restarts it until its
// start limit) is caught as a crash loop before the unit turns failed; the figure
// `fail-fast unit-failed` runs it again with crashLoopRestarts 10 so the failed state decides.
//
// One virtual edge device with the simulated MicroShift and edge-agent. Each run: stop and reset
// microshift.service, start `edge-agent check --dry-run --json`, wait until it is watching the
// unit, then (re)start microshift.service with the run's scenario and wait for the check's report.
//
// Where each moment comes from (all wall-clock, from the device's journal or systemd):
// - API reports ready: the simulator's journal line `phase: readyz passing; workloads ready N/N`.
//   The simulated API recomputes its objects on a 100 ms tick and logs this line in the tick
//   that first lists every core workload ready, so the line is the moment the API starts
//   answering "ready" (readyz itself passed earlier). Cross-checked against the scenario timeline
//   anchored at the simulator's start (from the `t=` of its lines).
// - edge-agent notices: its journal line `MicroShift is ready after ...`.
// - terminal states, by the reason the check reports:
//   unit-failed        systemd's journal line for microshift.service's start limit (entering `failed`);
//   crash-loop         systemd's `restart counter is at K` line, K = the NRestarts at which the
//                      growth the check reports first reached its threshold (3 by default);
//   prerun-failed      the simulator's first `pre-run failed` line (it rewrites the log on every
//                      restart, so the file's mtime is the last write, not the first);
//   image-pull-failed  simulator start + the scenario's err-image-pull step (the API shows it at
//                      the next 100 ms tick, so this may overstate the latency by up to ~100 ms).
//   The check's end: `endedAt` of its result in the JSON report (ms resolution).
//
// Env: BENCH_RUNS (default 5) runs per figure.
import { scenario, type ScenarioName } from '../test/harness/microshift/scenario.js';
import {
  realtimeUs,
  runCheckAgainst,
  simProcesses,
  sourceRevision,
  unitFailedAt,
  withDevice,
  type VirtualDevice,
} from './lib/device.js';
import { latencyFigure, latencyLine, progress, round, type LatencyFigure } from './lib/figures.js';

const RUNS = positiveInt(process.env.BENCH_RUNS, 5);
const READY_BUDGET_MS = 1000;
const FAIL_BUDGET_MS = 2000;
// MicroShift's smallest budget; a 10 s restart window (settle 3.3 s) keeps a passing run short.
// crashLoopRestarts stays at its default (3).
const CONFIG = 'microshift:\n  waitTimeoutSec: 60\n  restartWindowSec: 10\n';
const CRASH_LOOP_RESTARTS = 3;
// With the default threshold a unit that dies at once is caught as a crash loop (3 restarts) before
// systemd's start limit (5 starts) fails it. A threshold above the start limit leaves the unit's
// `failed` state as what ends the check, so that path gets a figure of its own.
const CONFIG_UNIT_FAILED = `${CONFIG}  crashLoopRestarts: 10\n`;
const FAIL_SCENARIOS: ScenarioName[] = ['unit-fails', 'crash-loop', 'prerun-failure', 'image-pull-fails'];

async function readinessRun(device: VirtualDevice, i: number): Promise<{ latencyMs: number; note: string }> {
  // Ready at a time the check cannot anticipate: 2-3 s after the start, workloads 0.5 s after readyz.
  const apiReady = 2000 + Math.round(Math.random() * 1000);
  const readyAt = apiReady + 500;
  const run = await runCheckAgainst(
    device,
    scenario('healthy', { apiReadyAfterMs: apiReady, workloadsReadyAfterMs: readyAt }),
    120,
  );
  const { result } = run;
  if (result.outcome !== 'pass') throw new Error(`check ended ${result.outcome}/${result.reason}: ${result.message}`);
  const sim = simProcesses(run.unitJournal);
  if (sim.length !== 1) throw new Error(`expected one simulator process, saw ${sim.length}`);
  const proc = sim[0] as (typeof sim)[number];
  const readyLine = proc.lines.find((e) => {
    const m = /phase: readyz passing; workloads ready (\d+)\/(\d+) /.exec(String(e.MESSAGE));
    return m !== null && Number(m[1]) > 0 && m[1] === m[2];
  });
  if (!readyLine) throw new Error('the simulator never logged readyz passing with every workload ready');
  const noticed = run.agentJournal.find((e) => String(e.MESSAGE).startsWith('MicroShift is ready after'));
  if (!noticed) throw new Error("edge-agent logged no 'MicroShift is ready after' line");
  const latencyMs = (realtimeUs(noticed) - realtimeUs(readyLine)) / 1000;
  const tickLagMs = (realtimeUs(readyLine) - (proc.startUs + readyAt * 1000)) / 1000;
  return {
    latencyMs,
    note: `run ${i}: ready at t=${readyAt} ms, API line ${round(tickLagMs)} ms after the timeline, noticed after ${round(latencyMs)} ms`,
  };
}

async function failFastRun(
  device: VirtualDevice,
  name: ScenarioName,
  i: number,
  expectReason?: string,
): Promise<{ latencyMs: number; note: string }> {
  const next = scenario(name);
  const run = await runCheckAgainst(device, next, 120);
  const { result } = run;
  if (result.outcome !== 'fail' || (expectReason && result.reason !== expectReason))
    throw new Error(`check ended ${result.outcome}/${result.reason}: ${result.message}`);
  const endedUs = Date.parse(result.endedAt) * 1000;
  let terminalUs: number;
  let what: string;
  switch (result.reason) {
    case 'unit-failed': {
      const failedAt = await unitFailedAt(device, run.startUs, 10_000);
      if (failedAt === undefined) throw new Error('check said unit-failed but the unit did not enter failed');
      terminalUs = failedAt;
      what = 'unit entered failed';
      break;
    }
    case 'crash-loop': {
      // "restarted G times in Ws (NRestarts=N)": the threshold was crossed at NRestarts = N - G + 3.
      const m = /restarted (\d+) times in \d+s \(NRestarts=(\d+)\)/.exec(result.message);
      if (!m) throw new Error(`cannot read the restart counts from: ${result.message}`);
      const target = Number(m[2]) - Number(m[1]) + CRASH_LOOP_RESTARTS;
      const line = run.unitJournal.find((e) =>
        new RegExp(`restart counter is at ${target}\\.?$`).test(String(e.MESSAGE)),
      );
      if (!line) throw new Error(`no systemd line 'restart counter is at ${target}'`);
      terminalUs = realtimeUs(line);
      what = `restart counter reached ${target}`;
      break;
    }
    case 'prerun-failed': {
      const line = run.unitJournal.find((e) => String(e.MESSAGE).startsWith('microshift-sim: pre-run failed'));
      if (!line) throw new Error("the simulator logged no 'pre-run failed' line");
      terminalUs = realtimeUs(line);
      what = 'pre-run failure logged';
      break;
    }
    case 'image-pull-failed': {
      const proc = simProcesses(run.unitJournal)[0];
      const step = next.workloads.overrides.flatMap((o) => o.steps).find((s) => s.state === 'err-image-pull');
      if (!proc || !step) throw new Error('cannot place the image pull failure on the timeline');
      terminalUs = proc.startUs + step.atMs * 1000;
      what = `ErrImagePull at t=${step.atMs} ms`;
      break;
    }
    default:
      throw new Error(`unexpected reason ${result.reason}: ${result.message}`);
  }
  const latencyMs = (endedUs - terminalUs) / 1000;
  return { latencyMs, note: `run ${i}: ${result.reason}, ${what}, check ended ${round(latencyMs)} ms later` };
}

async function measure(
  name: string,
  budgetMs: number,
  once: (i: number) => Promise<{ latencyMs: number; note: string }>,
  setting?: string,
): Promise<LatencyFigure> {
  const samples: number[] = [];
  const errors: string[] = [];
  const notes: string[] = [];
  for (let i = 1; i <= RUNS; i++) {
    try {
      const { latencyMs, note } = await once(i);
      samples.push(latencyMs);
      notes.push(note);
      progress(`${name} ${note}`);
    } catch (error) {
      const text = `run ${i}: ${(error as Error).message}`;
      errors.push(text);
      progress(`${name} ${text}`);
    }
  }
  const figure = latencyFigure(name, budgetMs, samples, errors, RUNS, notes);
  console.log(latencyLine(figure, setting));
  return figure;
}

async function main(): Promise<number> {
  const source = await sourceRevision();
  console.log(
    `check-latency: ${RUNS} runs per figure; edge-agent check --dry-run --json (${source}) in a virtual edge device against the simulated MicroShift`,
  );
  const figures = await withDevice({ microshift: scenario('healthy'), config: CONFIG }, async (device) => {
    const all: LatencyFigure[] = [
      await measure('readiness-detection', READY_BUDGET_MS, (i) => readinessRun(device, i)),
    ];
    for (const name of FAIL_SCENARIOS)
      all.push(await measure(`fail-fast ${name}`, FAIL_BUDGET_MS, (i) => failFastRun(device, name, i)));
    await device.writeFile('/etc/edge-agent/config.yaml', CONFIG_UNIT_FAILED);
    all.push(
      await measure(
        'fail-fast unit-failed',
        FAIL_BUDGET_MS,
        (i) => failFastRun(device, 'unit-fails', i, 'unit-failed'),
        'unit-fails with crashLoopRestarts 10',
      ),
    );
    return all;
  });
  const summary = Object.fromEntries(
    figures.map((f) => [
      f.name.replace(' ', ':'),
      {
        medianMs: f.medianMs,
        maxMs: f.maxMs,
        budgetMs: f.budgetMs,
        ratio: f.ratio,
        measured: f.measured,
        runs: f.runs,
        samplesMs: f.samplesMs,
        ...(f.errors.length ? { errors: f.errors } : {}),
      },
    ]),
  );
  console.log(JSON.stringify({ bench: 'check-latency', source, runs: RUNS, figures: summary }));
  return figures.every((f) => f.measured > 0) ? 0 : 1;
}

function positiveInt(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`expected a positive integer, got '${value}'`);
  return n;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`check-latency: measurement failed: ${(error as Error).stack ?? String(error)}`);
    process.exit(2);
  },
);
