// Benchmark: time to verdict per MicroShift scenario, edge-agent's check against MicroShift 4.15's
// own greenboot check, both counted from the same start (microshift.service started with the
// scenario; each check already waiting), and edge-agent's also from the moment the outcome was
// settled: MicroShift ready (healthy, restarting core pod, extra pods) or terminally failed (the
// crash loop's 3rd restart, the pre-run failure, the permanent pull error, the API budget spent).
//
// edge-agent: measured. `edge-agent check --dry-run --json` on a virtual device with the simulated
// MicroShift, default settings except microshift.waitTimeoutSec: 60 (MicroShift's smallest budget,
// so that "API never ready" fits in a minute; the same T for both). So the settle period after
// readiness is the default restartWindowSec/3 = 20 s.
//
// MicroShift 4.15: modelled from the scenario's own timeline (the simulator's, anchored at its
// process start in the journal), the way test/unit/core/microshift-check.test.ts models it after
// packaging/greenboot/microshift-running-check.sh and functions.sh on release-4.15: `wait_for`
// probes at once and then once a second and gives up after T; stages in order (unit active, and a
// failed unit ends it at the next poll; /readyz and /livez; any pod Running; each core
// namespace's images; each namespace's pods Ready), then 10 restart samples 5 s apart in every
// namespace at once (50 s), red if a namespace's restart counts changed in most samples. Its `oc`
// and `systemctl` calls are taken as instant: the modelled times are its fastest.
//
// Not measured: MicroShift's own check on the device (the real script needs oc/kubectl and
// crictl against the simulation; the model is what the property test trusts).
//
// Env: BENCH_SCENARIOS=healthy,api-never-ready (default: all below). Runs one check per scenario:
// about 3 minutes for all of them.
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
import { progress, round } from './lib/figures.js';

const T_SEC = 60;
const CONFIG = `microshift:\n  waitTimeoutSec: ${T_SEC}\n`;
// As edge-agent's defaults: restartWindowSec 60, settle a third of it.
const SETTLE_SEC = 20;
const SAMPLING_SEC = 10 * 5;
const ALL: ScenarioName[] = [
  'healthy',
  'crash-loop',
  'image-pull-fails',
  'pods-restarting',
  'api-never-ready',
  'unit-fails',
  'prerun-failure',
  'extra-pods-kube-system',
];

interface Row {
  scenario: string;
  edgeAgent: { outcome: string; reason: string; fromStartMs: number; fromSettledMs?: number; settledBy: string };
  microshift415: { verdict: 'green' | 'red'; fromStartMs: number; why: string };
  /** edge-agent's verdict no later than MicroShift's own check (both from the same start). */
  notSlower: boolean;
}

/** MicroShift 4.15's check from `startUs`, on the scenario's timeline (µs, undefined: never). */
export function microshift415(
  moments: {
    unitActive?: number;
    unitFailed?: number;
    apiReady?: number;
    anyPodRunning?: number;
    imagesDownloaded?: number;
    podsReady?: number;
    restartingDuringSampling: boolean;
  },
  startUs: number,
  tSec: number,
): { verdict: 'green' | 'red'; atUs: number; why: string } {
  const second = 1e6;
  let now = startUs;
  // Probes at now, now + 1 s, ...; the last one before T seconds are gone; a failed unit (only the
  // unit stage looks) ends the check at the poll that sees it.
  const stage = (trueAt: number | undefined, failedAt?: number): { ok: boolean; atUs: number } => {
    for (let k = 0; k < tSec; k++) {
      const poll = now + k * second;
      if (failedAt !== undefined && failedAt <= poll) return { ok: false, atUs: poll };
      if (trueAt !== undefined && trueAt <= poll) {
        now = poll;
        return { ok: true, atUs: poll };
      }
    }
    return { ok: false, atUs: now + tSec * second };
  };
  const steps: [string, number | undefined, number?][] = [
    ['unit active', moments.unitActive, moments.unitFailed],
    ['API healthy', moments.apiReady],
    ['any pod running', moments.anyPodRunning],
    ['images downloaded', moments.imagesDownloaded],
    ['pods ready', moments.podsReady],
  ];
  for (const [what, at, failed] of steps) {
    const r = stage(at, failed);
    if (!r.ok)
      return {
        verdict: 'red',
        atUs: r.atUs,
        why: failed !== undefined && failed <= r.atUs ? 'unit failed' : `${what}: timed out`,
      };
  }
  const end = now + SAMPLING_SEC * second;
  return moments.restartingDuringSampling
    ? { verdict: 'red', atUs: end, why: 'pods restarting (restart sampling)' }
    : { verdict: 'green', atUs: end, why: 'ready, no restarts in sampling' };
}

async function measure(device: VirtualDevice, name: ScenarioName): Promise<Row> {
  const next = scenario(name);
  const run = await runCheckAgainst(device, next, 3 * T_SEC + 60);
  const { result, startUs } = run;
  const endedUs = Date.parse(result.endedAt) * 1000;
  const proc = simProcesses(run.unitJournal)[0];
  const t0 = proc?.startUs ?? startUs;
  const at = (ms: number | null | undefined) => (ms === null || ms === undefined ? undefined : t0 + ms * 1000);
  const line = (re: RegExp) => run.unitJournal.find((e) => re.test(String(e.MESSAGE)));
  const readyLine = run.unitJournal.find((e) => {
    const m = /phase: readyz passing; workloads ready (\d+)\/(\d+) /.exec(String(e.MESSAGE));
    return m !== null && Number(m[1]) > 0 && m[1] === m[2];
  });
  const failedUs =
    name === 'unit-fails' || name === 'prerun-failure' ? await unitFailedAt(device, startUs, 30_000) : undefined;
  const steps = next.workloads.overrides.flatMap((o) => o.steps);
  const pullFails = steps.find((s) => s.state === 'err-image-pull');
  const active = at(next.process.activeAfterMs);
  const moments = {
    unitActive: active,
    unitFailed: failedUs,
    apiReady: active === undefined ? undefined : at(next.api.readyAfterMs),
    anyPodRunning: at(next.workloads.readyAfterMs),
    imagesDownloaded: pullFails ? undefined : at(next.workloads.readyAfterMs),
    // The simulator's "all ready" line counts the extra workloads too: without it, the timeline.
    podsReady: readyLine ? realtimeUs(readyLine) : at(next.workloads.readyAfterMs),
    // A core container restarting every second changes the counts in every sample; so does the
    // extra crash-looping plugin in kube-system (MicroShift samples every pod of the namespace).
    restartingDuringSampling: name === 'pods-restarting' || name === 'extra-pods-kube-system',
  };
  const ms = microshift415(moments, startUs, T_SEC);
  let settledUs: number | undefined;
  let settledBy: string;
  switch (name) {
    case 'crash-loop':
    case 'unit-fails': {
      const third = line(/restart counter is at 3\.?$/);
      settledUs = third && realtimeUs(third);
      settledBy = "systemd's 3rd restart";
      break;
    }
    case 'prerun-failure': {
      const l = line(/^microshift-sim: pre-run failed/);
      settledUs = l && realtimeUs(l);
      settledBy = 'pre-run failure logged';
      break;
    }
    case 'image-pull-fails':
      settledUs = pullFails && t0 + pullFails.atMs * 1000;
      settledBy = 'ErrImagePull';
      break;
    case 'api-never-ready':
      settledUs = active === undefined ? undefined : active + T_SEC * 1e6;
      settledBy = `unit active + T (${T_SEC} s)`;
      break;
    default:
      settledUs = moments.podsReady;
      settledBy = 'MicroShift ready';
  }
  const row: Row = {
    scenario: name,
    edgeAgent: {
      outcome: result.outcome,
      reason: result.reason,
      fromStartMs: round((endedUs - startUs) / 1000),
      fromSettledMs: settledUs === undefined ? undefined : round((endedUs - settledUs) / 1000),
      settledBy,
    },
    microshift415: { verdict: ms.verdict, fromStartMs: round((ms.atUs - startUs) / 1000), why: ms.why },
    notSlower: endedUs <= ms.atUs,
  };
  progress(
    `${name}: edge-agent ${result.outcome}/${result.reason} after ${round((endedUs - startUs) / 1000)} ms` +
      ` (${row.edgeAgent.fromSettledMs ?? '?'} ms after ${settledBy}); MicroShift 4.15 ${ms.verdict} after` +
      ` ${row.microshift415.fromStartMs} ms (${ms.why})`,
  );
  return row;
}

function selected(): ScenarioName[] {
  const wanted = (process.env.BENCH_SCENARIOS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = wanted.filter((w) => !ALL.includes(w as ScenarioName));
  if (unknown.length > 0) throw new Error(`BENCH_SCENARIOS: unknown ${unknown.join(', ')} (known: ${ALL.join(', ')})`);
  return wanted.length > 0 ? (wanted as ScenarioName[]) : ALL;
}

async function main(): Promise<void> {
  const names = selected();
  const revision = await sourceRevision();
  const rows = await withDevice(
    { name: 'bench-ttv', microshift: scenario('healthy'), config: CONFIG },
    async (device) => {
      const out: Row[] = [];
      for (const name of names) out.push(await measure(device, name));
      return out;
    },
  );
  console.log(`time to verdict (T = ${T_SEC} s, settle ${SETTLE_SEC} s; source ${revision}):`);
  console.log('scenario                 edge-agent                      MicroShift 4.15 (model)      not slower');
  for (const r of rows) {
    const ea = `${r.edgeAgent.outcome}/${r.edgeAgent.reason} ${(r.edgeAgent.fromStartMs / 1000).toFixed(1)} s`;
    const ms = `${r.microshift415.verdict} ${(r.microshift415.fromStartMs / 1000).toFixed(1)} s`;
    console.log(`${r.scenario.padEnd(24)} ${ea.padEnd(31)} ${ms.padEnd(28)} ${r.notSlower ? 'yes' : 'NO'}`);
  }
  console.log(
    `settle after readiness: edge-agent ${SETTLE_SEC} s (restartWindowSec/3) against MicroShift's ${SAMPLING_SEC} s of restart sampling (10 x 5 s)`,
  );
  if (rows.some((r) => r.scenario === 'api-never-ready' && !r.notSlower))
    console.log(
      // Why this row cannot be "yes" in every run without breaking "never stricter" (core/microshift-check.ts):
      'api-never-ready: edge-agent waits until MicroShift 4.15 has surely made its last API probe, which is up to ' +
        "1 s (one wait_for poll plus its oc call) after the unit became active + T, depending on its poll's phase; " +
        'the model puts that phase at the unit start, so it may end first. Ending earlier would fail boots ' +
        "MicroShift's own check passes in its last poll.",
    );
  console.log(
    JSON.stringify({
      bench: 'time-to-verdict',
      tSec: T_SEC,
      settleSec: SETTLE_SEC,
      samplingSec: SAMPLING_SEC,
      source: revision,
      rows,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(`time-to-verdict: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
