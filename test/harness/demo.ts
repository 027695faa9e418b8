// `npm run demo`: a virtual edge device goes through a good update and a bad one. For every boot
// it prints the deployment, the attempt, greenboot's scripts with their results, edge-agent's
// checks and the verdict. The bad update ships a MicroShift that crash-loops: edge-agent fails it
// in seconds on each attempt, greenboot reboots, and the fourth boot falls back to the good one.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BootRecord } from '../../agent/core/boot-record.js';
import { bundleHarnessProgram } from './bundle.js';
import { installCrio } from './crio/install.js';
import { bootEdgeDevice } from './edge-device.js';
import { buildRpms } from './install-rpm.js';
import { nextBoot, settleBoot, type BootSummary } from './greenboot/boot-cycle.js';
import { setDeploymentScenario } from './microshift/install.js';
import { scenario } from './microshift/scenario.js';
import { makeUpdateAvailable, stageUpdate } from './rpm-ostree/device-rpm-ostree.js';
import type { VirtualDevice } from './vdev.js';

const bold = (s: string) => (process.stdout.isTTY && !process.env.NO_COLOR ? `\x1b[1m${s}\x1b[0m` : s);
const say = (line = '') => process.stdout.write(`${line}\n`);

// DEMO_TIMINGS=1: where the demo's time goes, one line per phase on stderr.
const phaseStart = { at: Date.now() };
function phase(name: string): void {
  const now = Date.now();
  if (process.env.DEMO_TIMINGS)
    process.stderr.write(`[demo timing] ${name}: ${((now - phaseStart.at) / 1000).toFixed(1)}s\n`);
  phaseStart.at = now;
}

async function printBoot(device: VirtualDevice, summary: BootSummary, n: number): Promise<void> {
  const counter = summary.grubenv.atBoot?.boot_counter;
  const attempt =
    counter === undefined ? 'no update on trial' : counter === '-1' ? 'fallback boot' : `boot_counter=${counter}`;
  say(
    bold(`Boot ${n}: ${summary.booted?.version ?? '?'} (${summary.booted?.checksum.slice(0, 7) ?? '?'}), ${attempt}`),
  );
  if (summary.fallbackDetected) say('  greenboot: FALLBACK BOOT DETECTED, default deployment rolled back');
  for (const script of summary.scripts)
    say(
      `  ${script.kind.padEnd(8)} ${script.name.padEnd(36)} ${script.outcome}${script.exitCode ? ` (exit ${script.exitCode})` : ''}`,
    );
  const record = await readRecord(device, summary.bootId);
  for (const check of record?.checks.required?.results ?? [])
    say(`  edge-agent ${check.id}: ${check.outcome} in ${(check.durationMs / 1000).toFixed(1)}s: ${check.message}`);
  for (const check of (record?.checks.wanted?.results ?? []).filter((c) => c.outcome === 'fail'))
    say(`  edge-agent warning ${check.id}: ${check.message}`);
  for (const action of record?.actions ?? []) say(`  pre-rollback ${action.id}: ${action.outcome}: ${action.message}`);
  if (record?.budget?.line) say(`  ${record.budget.line}`);
  const verdict = summary.verdict === 'green' ? 'GREEN' : summary.verdict === 'red' ? 'RED' : 'no verdict';
  const next = summary.rebootRequested
    ? 'greenboot reboots to try again'
    : summary.verdict === 'red'
      ? 'manual intervention necessary'
      : 'kept';
  say(
    `  verdict: ${bold(verdict)} -> ${next}; next boot: ${summary.next.booted.version}${summary.next.fallback ? ' (GRUB fallback)' : ''}`,
  );
  say();
}

// Read from the device's disk, not through its running root: a red boot may already be
// rebooting itself again.
/** `edge-agent status` of the running device, once this boot's greenboot run has finished. */
async function printStatus(device: VirtualDevice): Promise<void> {
  await settleBoot(device, 120_000);
  const status = await device.exec(['edge-agent', 'status'], { env: { NO_COLOR: '1' } });
  say(status.stdout.replace(/^/gm, '  | ').trimEnd());
  say();
}

async function readRecord(device: VirtualDevice, bootId: string): Promise<BootRecord | undefined> {
  const file = join(device.stateDir, 'upper', 'var/lib/edge-agent/boots', `${bootId.replaceAll('-', '')}.json`);
  const text = await readFile(file, 'utf8').catch(() => undefined);
  return text ? (JSON.parse(text) as BootRecord) : undefined;
}

async function main(): Promise<void> {
  const started = Date.now();
  // The slow builds run while the device boots and gets its stand-ins: the RPMs (rpmbuild, the
  // largest part of the setup) and the CRI-O stand-in. Both are memoized, so the installs below
  // wait for these same builds. (The RPM build bundles the agent itself: no separate bundle.)
  const builds = Promise.all([
    // RPMs of the same sources built by an earlier demo are used again.
    buildRpms({ reuse: true }),
    bundleHarnessProgram('test/harness/crio/daemon.ts', 'crio-sim'),
    bundleHarnessProgram('test/harness/crio/crictl.ts', 'crictl-sim'),
  ]);
  builds.then(
    () =>
      process.env.DEMO_TIMINGS &&
      process.stderr.write(
        `[demo timing] (RPMs and CRI-O stand-in built after ${((Date.now() - started) / 1000).toFixed(1)}s)\n`,
      ),
    () => undefined,
  );
  say('Booting a virtual edge device: real systemd, bash greenboot, simulated MicroShift, edge-agent...');
  const device = await bootEdgeDevice({
    name: 'edge-demo',
    deployments: [{ version: '9.4.0' }],
    // MicroShift comes up in under a second (half the simulator's default timings): the check
    // still waits its settle period (a third of the restart window) before it passes.
    microshift: scenario('healthy', { timeScale: 0.5 }),
    // The smallest budget MicroShift allows, and the shortest restart watch, so the demo is quick.
    config: 'microshift:\n  waitTimeoutSec: 60\n  restartWindowSec: 10\n',
    // Installed from the real RPMs with rpm, as an Image Builder image gets it.
    agent: 'rpm',
    boot: false,
  });
  phase('boot the device, install stand-ins and the RPMs');
  let n = 0;
  try {
    // MicroShift's pods run under CRI-O (the stand-in), so the cleanup before a rollback has real
    // pods and processes to remove. The device boots edge-device.target, not multi-user.target:
    // enable the daemon there.
    // Three independent steps: done side by side.
    await Promise.all([
      installCrio(device),
      device.sh(
        'ln -sf /usr/lib/systemd/system/edge-agent.service /etc/systemd/system/edge-device.target.wants/edge-agent.service && systemctl daemon-reload && systemctl start edge-agent.service',
      ),
      setDeploymentScenario(device, '9.4.2', scenario('crash-loop')),
    ]);
    phase('install CRI-O, start the daemon');
    say();
    say(bold('== A good update: 9.4.1 =='));
    await makeUpdateAvailable(device, { version: '9.4.1' });
    await stageUpdate(device);
    say('rpm-ostree upgrade: 9.4.1 staged; rebooting');
    await nextBoot(device);
    phase('reboot into 9.4.1');
    await printStatus(device);
    phase('9.4.1 boot settles, status');

    // The next update is staged during the good boot, as an operator would: ending that boot
    // (its summary, Boot 1 below) is the reboot into 9.4.2.
    say(bold('== A bad update: 9.4.2, whose MicroShift crash-loops =='));
    await makeUpdateAvailable(device, { version: '9.4.2' });
    await stageUpdate(device);
    say('rpm-ostree upgrade: 9.4.2 staged on the good 9.4.1 boot; rebooting');
    say();
    for (let boot = 0; boot < 6; boot++) {
      const summary = await nextBoot(device);
      await printBoot(device, summary, ++n);
      phase(`boot ${n}`);
      if (boot > 0 && (summary.verdict !== 'red' || !summary.rebootRequested)) break;
    }
    await settleBoot(device, 120_000);
    say(bold('After the rollback, `edge-agent status` on the device:'));
    await printStatus(device);
    say(bold('`edge-agent history`:'));
    say((await device.exec(['edge-agent', 'history', '-n', '8'])).stdout.trimEnd());
    phase('final status and history');
  } finally {
    await device.dispose();
    phase('dispose');
  }
  say();
  say(`Demo finished in ${((Date.now() - started) / 1000).toFixed(0)}s; the device is gone and the host untouched.`);
}

main().then(
  // Nothing is left to wait for once the device is gone; do not linger on idle keep-alive handles.
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
