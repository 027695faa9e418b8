// Installs the simulated MicroShift into a virtual edge device.
//
// What it simulates: the files and units a MicroShift RPM install leaves on a RHEL for Edge
// host that health checks look at: microshift.service (+ microshift-etcd), the kubeadmin
// kubeconfig, the CRI-O pull secret, and an API on 127.0.0.1 scripted by a scenario. What it
// leaves out: the microshift binary, CRI-O, OVS/OVN, /etc/microshift/config.yaml, data under
// /var/lib/microshift other than the kubeconfig, microshift-cleanup-data.
//
// Without its own network namespace the device shares the host's loopback, so each device gets
// a free loopback port instead of 6443 and the host can reach the API through the same
// kubeconfig (`hostKubeconfig`).
import { readlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { VirtualDevice } from '../vdev.js';
import { ensureSimBundle } from './bundle.js';
import { renderKubeconfig, simCerts } from './certs.js';
import { microshiftEtcdUnit, microshiftUnit } from './install-units.js';
import type { Scenario } from './scenario.js';

export const microshiftPaths = {
  kubeconfig: '/var/lib/microshift/resources/kubeadmin/kubeconfig',
  scenario: '/etc/microshift-sim/scenario.json',
  certs: '/etc/microshift-sim/certs',
  prerunLog: '/var/lib/microshift-backups/prerun_failed.log',
  pullSecret: '/etc/crio/openshift-pull-secret',
  unit: '/etc/systemd/system/microshift.service',
  etcdUnit: '/etc/systemd/system/microshift-etcd.service',
} as const;

export type MicroShiftInstallState = 'enabled' | 'disabled' | 'absent';

export interface InstallOptions {
  scenario: Scenario;
  /** `absent`: not installed at all (units, kubeconfig and scenario removed). Default `enabled`. */
  state?: MicroShiftInstallState;
  /** API port; default 6443 in a device with its own network namespace, else a free one. */
  port?: number;
  /** Start the unit now (without waiting for it); default: when enabled. */
  start?: boolean;
}

export interface InstalledMicroShift {
  state: MicroShiftInstallState;
  port: number;
  /** The kubeconfig's path inside the device. */
  kubeconfig: string;
  /**
   * The same file seen from the host (valid for the device's current boot). Usable from the host
   * only when the device shares the host's network namespace.
   */
  readonly hostKubeconfig: string;
}

/**
 * Install (or reinstall) the simulator into a device. A reinstall stops the running one, clears
 * a failed state and any earlier pre-run failure log, so one device can serve many scenarios.
 */
export async function installMicroShift(device: VirtualDevice, options: InstallOptions): Promise<InstalledMicroShift> {
  const state = options.state ?? 'enabled';
  // Exit codes ignored: on a first install there is nothing to stop or reset.
  await device.exec(['systemctl', 'stop', 'microshift.service', 'microshift-etcd.service']);
  await device.exec(['systemctl', 'reset-failed', 'microshift.service', 'microshift-etcd.service']);
  await device.exec(['rm', '-f', microshiftPaths.prerunLog]);
  const port = options.port ?? ((await hasOwnNetwork(device)) ? 6443 : await freeLoopbackPort());
  const installed: InstalledMicroShift = {
    state,
    port,
    kubeconfig: microshiftPaths.kubeconfig,
    get hostKubeconfig() {
      return device.path(microshiftPaths.kubeconfig);
    },
  };
  if (state === 'absent') {
    await device.exec(['systemctl', 'disable', 'microshift.service']);
    await device.exec([
      'rm',
      '-f',
      microshiftPaths.unit,
      microshiftPaths.etcdUnit,
      microshiftPaths.kubeconfig,
      microshiftPaths.scenario,
    ]);
    await device.sh('systemctl daemon-reload');
    return installed;
  }
  const [bundle, certs] = await Promise.all([ensureSimBundle(), simCerts()]);
  await device.writeFile(`${microshiftPaths.certs}/ca.crt`, certs.ca, 0o644);
  await device.writeFile(`${microshiftPaths.certs}/server.crt`, certs.serverCert, 0o644);
  await device.writeFile(`${microshiftPaths.certs}/server.key`, certs.serverKey, 0o600);
  await device.writeFile(microshiftPaths.kubeconfig, renderKubeconfig(certs, `https://127.0.0.1:${port}`), 0o600);
  await device.writeFile(
    microshiftPaths.pullSecret,
    `${JSON.stringify({ auths: { 'quay.io': { auth: Buffer.from('edge-test:not-a-secret').toString('base64') } } })}\n`,
    0o600,
  );
  await device.writeFile(microshiftPaths.scenario, JSON.stringify(options.scenario, null, 2), 0o644);
  const unit = microshiftUnit({
    node: process.execPath,
    bundle,
    scenarioPath: microshiftPaths.scenario,
    certsDir: microshiftPaths.certs,
    port,
  });
  await device.writeFile(microshiftPaths.unit, unit, 0o644);
  await device.writeFile(microshiftPaths.etcdUnit, microshiftEtcdUnit, 0o644);
  await device.sh('systemctl daemon-reload');
  await device.sh(`systemctl ${state === 'enabled' ? 'enable' : 'disable'} --quiet microshift.service`);
  if (options.start ?? state === 'enabled') await device.sh('systemctl start --no-block microshift.service');
  return installed;
}

/**
 * Swap the scenario. By default the running process re-reads it (`systemctl reload microshift`,
 * i.e. SIGHUP; while the unit is still activating, SIGHUP straight to its main process) and its
 * timeline keeps counting from its start; `restart: true` restarts the unit instead, so the new
 * timeline begins at zero (and a `failed` unit gets going again).
 */
export async function setScenario(
  device: VirtualDevice,
  scenario: Scenario,
  options: { restart?: boolean } = {},
): Promise<void> {
  await device.writeFile(microshiftPaths.scenario, JSON.stringify(scenario, null, 2), 0o644);
  if (options.restart) {
    await device.exec(['systemctl', 'reset-failed', 'microshift.service']);
    await device.sh('systemctl restart --no-block microshift.service');
    return;
  }
  // systemd refuses to reload a unit that is not active; exit codes ignored because with no
  // process running the next start reads the new file anyway.
  if ((await readMicroShiftUnit(device)).ActiveState === 'active')
    await device.exec(['systemctl', 'reload', 'microshift.service']);
  else await device.exec(['systemctl', 'kill', '--kill-whom=main', '--signal=SIGHUP', 'microshift.service']);
}

export interface UnitState {
  ActiveState: string;
  SubState: string;
  Result: string;
  NRestarts: number;
  UnitFileState: string;
}

/** microshift.service as systemd sees it (`systemctl show`). */
export async function readMicroShiftUnit(device: VirtualDevice): Promise<UnitState> {
  const result = await device.systemctl(
    'show',
    'microshift.service',
    '-p',
    'ActiveState,SubState,Result,NRestarts,UnitFileState',
  );
  const fields = Object.fromEntries(
    result.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  return {
    ActiveState: fields.ActiveState ?? '',
    SubState: fields.SubState ?? '',
    Result: fields.Result ?? '',
    NRestarts: Number(fields.NRestarts ?? 0),
    UnitFileState: fields.UnitFileState ?? '',
  };
}

async function hasOwnNetwork(device: VirtualDevice): Promise<boolean> {
  const [inside, here] = await Promise.all([readlink(`/proc/${device.pid}/ns/net`), readlink('/proc/self/ns/net')]);
  return inside !== here;
}

/** A loopback port free right now (the kernel picks it; the tiny race is acceptable in tests). */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Give one deployment (by version) its own MicroShift behaviour, used whenever it is booted. */
export async function setDeploymentScenario(device: VirtualDevice, version: string, scenario: Scenario): Promise<void> {
  await device.writeFile(`/etc/microshift-sim/by-deployment/${version}.json`, `${JSON.stringify(scenario, null, 2)}\n`);
}
