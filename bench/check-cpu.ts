// Benchmark: CPU used by `edge-agent check` while it waits for a MicroShift whose API never
// becomes ready, against a reference poller in the same run: a shell loop that runs
// `kubectl get --raw '/readyz?verbose'` and sleeps 1 s, as MicroShift's own greenboot script
// does with `oc`. DESIGN.md's budget: "well below one oc-per-second poller" (ratio well below 1).
//
// One virtual edge device, simulated MicroShift on scenario `api-never-ready` (unit active,
// livez passing, readyz failing on etcd-readiness). The check and the reference run side by side,
// each in its own transient service (systemd-run), for the same period; each one's CPU is its
// cgroup's CPUUsageNSec (user + system of every process in it, kubectl and sleep included), read
// while both still run. Then both are stopped (the check by SIGTERM) and the check must have
// been still waiting: it logs TERMINATED, not a verdict.
//
// Env:
//   BENCH_WAIT_SEC  measured period in seconds (default 300, the budget's "5 minutes"; 30 is a
//                   quick run). The check's budget (microshift.waitTimeoutSec) is set above it.
//   BENCH_KUBECTL   kubectl binary of the reference (default: /usr/bin/kubectl; when that is the
//                   Google Cloud SDK dispatcher, the versioned kubectl it would exec, so the
//                   reference is one Go binary per poll like `oc` or Debian's kubectl).
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { microshiftPaths } from '../test/harness/microshift/install.js';
import { scenario } from '../test/harness/microshift/scenario.js';
import {
  journalSince,
  deviceMonotonicUs,
  nowUs,
  showUnit,
  sleep,
  sourceRevision,
  waitForJournal,
  withDevice,
  type VirtualDevice,
} from './lib/device.js';
import { progress, round } from './lib/figures.js';

const AGENT_UNIT = 'bench-edge-agent.service';
const REF_UNIT = 'bench-readyz-poller.service';
const REF_SCRIPT = '/usr/local/libexec/bench-readyz-poller';
const REF_COUNT = '/run/bench-readyz-poller.count';
const STARTUP_SEC = 5;

// MicroShift's greenboot loop: one client call, then `sleep 1`, until ready.
const refScript = `#!/bin/bash
# edge-agent bench: reference poller (one kubectl call, then sleep 1, like MicroShift's greenboot script).
kubectl=$1 kubeconfig=$2 n=0
while :; do
    "$kubectl" --kubeconfig "$kubeconfig" get --raw '/readyz?verbose' >/dev/null 2>&1
    n=$((n + 1))
    echo "$n" > ${REF_COUNT}
    sleep 1
done
`;

interface UnitCpu {
  cpuSec: number;
  wallSec: number;
  active: string;
}

async function unitCpu(device: VirtualDevice, unit: string): Promise<UnitCpu> {
  const [props, nowMono] = await Promise.all([
    showUnit(device, unit, ['ActiveState', 'CPUUsageNSec', 'ActiveEnterTimestampMonotonic']),
    deviceMonotonicUs(device),
  ]);
  const nsec = Number(props.CPUUsageNSec);
  // An unset value prints as [not set] (accounting off, or the cgroup's cpu.stat unreadable).
  if (!Number.isFinite(nsec))
    throw new Error(`${unit}: CPUUsageNSec is '${props.CPUUsageNSec}': no CPU accounting in this device`);
  return {
    cpuSec: nsec / 1e9,
    wallSec: (nowMono - Number(props.ActiveEnterTimestampMonotonic)) / 1e6,
    active: props.ActiveState ?? '',
  };
}

/** The reference's kubectl: BENCH_KUBECTL, or /usr/bin/kubectl (unwrapping the gcloud dispatcher). */
async function chooseKubectl(device: VirtualDevice): Promise<{ path: string; version: string; note: string }> {
  const version = async (path: string) => {
    const r = await device.exec([path, 'version', '--client', '-o', 'json']);
    if (r.exitCode !== 0)
      throw new Error(`the reference kubectl ${path} does not run: ${(r.stderr || r.stdout).trim().slice(0, 300)}`);
    return (
      (JSON.parse(r.stdout || '{}') as { clientVersion?: { gitVersion?: string } }).clientVersion?.gitVersion ??
      'unknown'
    );
  };
  const override = process.env.BENCH_KUBECTL;
  if (override) return { path: override, version: await version(override), note: 'from BENCH_KUBECTL' };
  const path = '/usr/bin/kubectl';
  if (!existsSync(path))
    throw new Error('no /usr/bin/kubectl for the reference poller (install kubernetes-client, or set BENCH_KUBECTL)');
  const real = realpathSync(path);
  const versioned = readdirSync(dirname(real))
    .map((name) => /^kubectl\.1\.(\d+)$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ minor: Number(m[1]), path: join(dirname(real), m[0]) }));
  if (versioned.length === 0) return { path, version: await version(path), note: 'single binary' };
  // The Google Cloud SDK dispatcher asks the server for its version, then execs kubectl.1.<minor>.
  const server = await device.exec([path, '--kubeconfig', microshiftPaths.kubeconfig, 'version', '-o', 'json']);
  const minor = Number(
    (JSON.parse(server.stdout || '{}') as { serverVersion?: { minor?: string } }).serverVersion?.minor ?? NaN,
  );
  const pick = versioned.find((v) => v.minor === minor) ?? versioned.sort((a, b) => b.minor - a.minor)[0];
  if (!pick) throw new Error('no versioned kubectl found');
  return {
    path: pick.path,
    version: await version(pick.path),
    note: `${path} is the Google Cloud SDK dispatcher; using what it execs for this server`,
  };
}

async function main(): Promise<number> {
  const WAIT_SEC = waitSeconds(process.env.BENCH_WAIT_SEC);
  const budgetSec = Math.min(9999, Math.max(60, WAIT_SEC + 60));
  const config = `microshift:\n  waitTimeoutSec: ${budgetSec}\n`;
  const source = await sourceRevision();
  console.log(
    `check-cpu: ${WAIT_SEC} s wait on scenario api-never-ready (check budget ${budgetSec} s); edge-agent check (${source}) vs kubectl /readyz once a second, side by side`,
  );
  return withDevice({ microshift: scenario('api-never-ready'), config }, async (device) => {
    const since = nowUs();
    await device.sh('systemctl start microshift.service');
    await waitForJournal(
      device,
      { unit: 'microshift.service' },
      since,
      (m) => m.includes('phase: API listening'),
      15_000,
      'the simulated API to listen',
    );
    const kubectl = await chooseKubectl(device);
    await device.writeFile(REF_SCRIPT, refScript, 0o755);
    const msBefore = await unitCpu(device, 'microshift.service');
    const started = nowUs();
    const run = (unit: string, argv: string[]) =>
      device.sh(
        `systemd-run --quiet --collect --unit=${unit} -p CPUAccounting=yes -E HOME=/root ${argv.map((a) => `'${a}'`).join(' ')}`,
      );
    await Promise.all([
      run(AGENT_UNIT, ['/usr/bin/edge-agent', 'check', '--dry-run', '--json']),
      run(REF_UNIT, [REF_SCRIPT, kubectl.path, microshiftPaths.kubeconfig]),
    ]);
    try {
      await waitForJournal(
        device,
        { identifier: 'edge-agent' },
        started,
        (m) => m.startsWith('Waiting') && m.includes('MicroShift API'),
        30_000,
        'the check to wait for the API',
      );
      // What the check spends getting going (node start-up, boot context, the wanted checks, loading
      // the API module for its first API probe) is over well within 5 s; the rest of the
      // period is the steady cost of waiting.
      await sleep(Math.max(0, started / 1000 + STARTUP_SEC * 1000 - Date.now()));
      const startup = await unitCpu(device, AGENT_UNIT);
      for (let left = WAIT_SEC - STARTUP_SEC; left > 0;) {
        const step = Math.min(left, 60);
        await sleep(step * 1000);
        left -= step;
        if (left > 0) progress(`check-cpu: ${WAIT_SEC - left}/${WAIT_SEC} s`);
      }
      const [agent, ref, ms] = await Promise.all([
        unitCpu(device, AGENT_UNIT),
        unitCpu(device, REF_UNIT),
        unitCpu(device, 'microshift.service'),
      ]);
      const calls = Number((await device.exec(['cat', REF_COUNT])).stdout.trim() || 0);
      if (agent.active !== 'active')
        throw new Error(`the check was no longer running at the end of the period (${agent.active})`);
      if (ref.active !== 'active' || calls < WAIT_SEC / 4)
        throw new Error(`the reference poller did not keep polling (${ref.active}, ${calls} calls)`);
      await device.exec(['systemctl', 'stop', AGENT_UNIT, REF_UNIT]);
      // The check's result line: its EDGE_AGENT_OUTCOME field (native journal) or its wording.
      const entries = await journalSince(device, { identifier: 'edge-agent' }, started);
      const verdict = entries.find((e) => String(e.MESSAGE).startsWith("Check 'microshift' (required)"));
      const outcome =
        verdict?.EDGE_AGENT_OUTCOME ?? (/TERMINATED|STOPPED/.test(String(verdict?.MESSAGE)) ? 'terminated' : undefined);
      if (outcome !== 'terminated')
        throw new Error(
          `the check did not wait the whole period: ${verdict ? String(verdict.MESSAGE) : 'no result line'}`,
        );

      const perMin = (u: UnitCpu) => (u.cpuSec / u.wallSec) * 60;
      const ratio = perMin(agent) / perMin(ref);
      const msCpu = ms.cpuSec - msBefore.cpuSec;
      const steadyPerMin = ((agent.cpuSec - startup.cpuSec) / (agent.wallSec - startup.wallSec)) * 60;
      console.log(
        `cpu edge-agent: ${agent.cpuSec.toFixed(3)} s CPU in ${agent.wallSec.toFixed(1)} s (${perMin(agent).toFixed(3)} s/min; ${startup.cpuSec.toFixed(3)} s in its first ${startup.wallSec.toFixed(1)} s with start-up, then ${steadyPerMin.toFixed(3)} s/min waiting)`,
      );
      console.log(
        `cpu reference: ${ref.cpuSec.toFixed(3)} s CPU in ${ref.wallSec.toFixed(1)} s (${perMin(ref).toFixed(3)} s/min; ${calls} calls, ${((ref.cpuSec / calls) * 1000).toFixed(1)} ms each; ${kubectl.path} ${kubectl.version}, ${kubectl.note})`,
      );
      console.log(
        `cpu ratio edge-agent/reference: ${ratio.toFixed(3)} over the whole period (goal: well below 1); ${(steadyPerMin / perMin(ref)).toFixed(3)} once started`,
      );
      console.log(
        `cpu simulated API server (serving both) over the period: ${msCpu.toFixed(3)} s (context, not counted)`,
      );
      console.log(
        JSON.stringify({
          bench: 'check-cpu',
          source,
          waitSec: WAIT_SEC,
          edgeAgent: {
            cpuSec: round(agent.cpuSec, 3),
            wallSec: round(agent.wallSec, 1),
            cpuSecPerMin: round(perMin(agent), 4),
            startupCpuSec: round(startup.cpuSec, 3),
            steadyCpuSecPerMin: round(steadyPerMin, 4),
          },
          reference: {
            cpuSec: round(ref.cpuSec, 3),
            wallSec: round(ref.wallSec, 1),
            cpuSecPerMin: round(perMin(ref), 4),
            calls,
            kubectl: kubectl.path,
            kubectlVersion: kubectl.version,
          },
          ratio: round(ratio, 4),
          steadyRatio: round(steadyPerMin / perMin(ref), 4),
          apiServerCpuSec: round(msCpu, 3),
        }),
      );
      return 0;
    } finally {
      await device.exec(['systemctl', 'stop', AGENT_UNIT, REF_UNIT]);
    }
  });
}

function waitSeconds(value: string | undefined): number {
  if (value === undefined || value === '') return 300;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 10 || n > 9900)
    throw new Error(`BENCH_WAIT_SEC must be a whole number of seconds from 10 to 9900, got '${value}'`);
  return n;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`check-cpu: measurement failed: ${(error as Error).stack ?? String(error)}`);
    process.exit(2);
  },
);
