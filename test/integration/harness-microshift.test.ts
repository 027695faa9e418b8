// Proves the simulated MicroShift on a virtual edge device: each scenario as systemd shows it
// (`systemctl show microshift`) and as @kubernetes/client-node sees it through the kubeadmin
// kubeconfig, read from the host through the device's root. One device serves every scenario:
// installMicroShift reinstalls and restarts the unit for each test.
import * as k8s from '@kubernetes/client-node';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../harness/bundle.js';
import {
  installMicroShift,
  microshiftPaths,
  readMicroShiftUnit,
  setScenario,
  type InstalledMicroShift,
  type UnitState,
} from '../harness/microshift/install.js';
import { scenario, type ScenarioName } from '../harness/microshift/scenario.js';
import { VirtualDevice } from '../harness/vdev.js';

const named = [
  ['openshift-ovn-kubernetes', 'DaemonSet', 'ovnkube-master'],
  ['openshift-ovn-kubernetes', 'DaemonSet', 'ovnkube-node'],
  ['openshift-service-ca', 'Deployment', 'service-ca'],
  ['openshift-ingress', 'Deployment', 'router-default'],
  ['openshift-dns', 'DaemonSet', 'dns-default'],
  ['openshift-dns', 'DaemonSet', 'node-resolver'],
  ['kube-system', 'Deployment', 'csi-snapshot-controller'],
  ['kube-system', 'Deployment', 'csi-snapshot-webhook'],
] as const;

let device: VirtualDevice;

beforeAll(async () => {
  device = await VirtualDevice.boot({ name: 'microshift-sim' });
});

afterAll(async () => {
  await device?.dispose();
});

async function install(name: ScenarioName, options: Parameters<typeof scenario>[1] = {}) {
  const sim = await installMicroShift(device, { scenario: scenario(name, options) });
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(sim.hostKubeconfig);
  return {
    sim,
    kc,
    core: kc.makeApiClient(k8s.CoreV1Api),
    apps: kc.makeApiClient(k8s.AppsV1Api),
    health: new k8s.Health(kc),
  };
}

/** Poll until `probe` returns something `accept` likes; errors (connection refused) count as no. */
async function waitFor<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await probe().catch(() => undefined);
    if (last !== undefined && accept(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
}

const unit = () => readMicroShiftUnit(device);
const isActive = (s: UnitState) => s.ActiveState === 'active';

/** host-contracts §4: the named Deployments and DaemonSets that are not ready yet. */
async function unreadyWorkloads(apps: k8s.AppsV1Api): Promise<string[]> {
  const out: string[] = [];
  for (const [namespace, kind, name] of named) {
    if (kind === 'Deployment') {
      const d = await apps.readNamespacedDeployment({ name, namespace });
      const s = d.status ?? {};
      const ok =
        (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) &&
        (s.updatedReplicas ?? 0) >= (d.spec?.replicas ?? 1) &&
        (s.availableReplicas ?? 0) >= (s.updatedReplicas ?? 0);
      if (!ok) out.push(name);
    } else {
      const s = (await apps.readNamespacedDaemonSet({ name, namespace })).status;
      const ok =
        (s?.updatedNumberScheduled ?? 0) >= (s?.desiredNumberScheduled ?? 1) &&
        (s?.numberAvailable ?? 0) >= (s?.desiredNumberScheduled ?? 1);
      if (!ok) out.push(name);
    }
  }
  return out;
}

async function routerContainer(core: k8s.CoreV1Api): Promise<k8s.V1ContainerStatus | undefined> {
  const pods = await core.listNamespacedPod({ namespace: 'openshift-ingress' });
  return pods.items[0]?.status?.containerStatuses?.[0];
}

describe('simulated MicroShift on a virtual edge device', () => {
  it('healthy: the unit turns active, readyz passes and every named workload becomes ready', async () => {
    const { sim, apps, health } = await install('healthy');
    expect(sim.port).not.toBe(6443);
    expect((await waitFor(unit, isActive)).UnitFileState).toBe('enabled');
    await waitFor(
      () => health.readyz({}),
      (ok) => ok,
    );
    expect(await health.livez({})).toBe(true);
    await waitFor(
      () => unreadyWorkloads(apps),
      (unready) => unready.length === 0,
    );
    expect((await device.systemctl('is-active', 'microshift-etcd.service')).stdout.trim()).toBe('active');
    expect(await device.journalMessages({ unit: 'microshift.service' })).toContainEqual(
      expect.stringContaining('phase: readyz passing; workloads ready 8/8'),
    );
  });

  it('api-never-ready: the unit is active and livez passes, readyz keeps failing', async () => {
    const { health, sim } = await install('api-never-ready');
    await waitFor(unit, isActive);
    await waitFor(
      () => health.livez({}),
      (ok) => ok,
    );
    expect(await readFile(sim.hostKubeconfig, 'utf8')).toContain(`server: https://127.0.0.1:${sim.port}`);
    for (let i = 0; i < 3; i++) {
      expect(await health.readyz({})).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
  });

  it('unit-fails: the process exits at once and the unit ends failed', async () => {
    await install('unit-fails');
    const state = await waitFor(unit, (s) => s.ActiveState === 'failed');
    expect(state.NRestarts).toBeGreaterThanOrEqual(1);
  });

  it('crash-loop: the unit keeps restarting (activating, NRestarts growing), never failed', async () => {
    await install('crash-loop');
    const seen: UnitState[] = [];
    await waitFor(
      async () => {
        const state = await unit();
        seen.push(state);
        return state;
      },
      (s) => s.NRestarts >= 2,
      8000,
    );
    expect(seen.some((s) => s.SubState === 'auto-restart' || s.NRestarts > 0)).toBe(true);
    expect(seen.every((s) => s.ActiveState === 'activating')).toBe(true);
  });

  it('image-pull-stuck-then-progressing: pods wait in ContainerCreating with Pulling events, then turn ready', async () => {
    const { core, apps } = await install('image-pull-stuck-then-progressing', { workloadsReadyAfterMs: 2500 });
    const creating = await waitFor(
      () => routerContainer(core),
      (c) => c !== undefined,
    );
    expect(creating?.state?.waiting?.reason).toBe('ContainerCreating');
    const events = await core.listNamespacedEvent({ namespace: 'openshift-ingress' });
    expect(events.items.map((e) => e.reason)).toContain('Pulling');
    await waitFor(
      () => unreadyWorkloads(apps),
      (unready) => unready.length === 0,
    );
    const pulled = await core.listNamespacedEvent({ namespace: 'openshift-ingress' });
    expect(pulled.items.find((e) => e.reason === 'Pulled')?.message).toMatch(
      /^Successfully pulled image "quay\.io\/.+"/,
    );
  });

  it('image-pull-fails: ErrImagePull then ImagePullBackOff naming the image, with a Failed event', async () => {
    const { core, apps } = await install('image-pull-fails');
    const errPull = await waitFor(
      () => routerContainer(core),
      (c) => c?.state?.waiting?.reason === 'ErrImagePull',
    );
    expect(errPull?.state?.waiting?.message).toContain('manifest unknown');
    const backOff = await waitFor(
      () => routerContainer(core),
      (c) => c?.state?.waiting?.reason === 'ImagePullBackOff',
    );
    expect(backOff?.state?.waiting?.message).toContain(backOff?.image);
    const failed = (await core.listNamespacedEvent({ namespace: 'openshift-ingress' })).items.filter(
      (e) => e.reason === 'Failed' && e.type === 'Warning',
    );
    expect(failed.map((e) => e.message)).toContainEqual(
      expect.stringMatching(/^Failed to pull image "quay\.io\/.+": .*manifest unknown$/),
    );
    await waitFor(
      () => unreadyWorkloads(apps),
      (unready) => unready.length === 1 && unready[0] === 'router-default',
    );
  });

  it('pods-restarting: the router container restartCount grows while it stays running', async () => {
    const { core } = await install('pods-restarting', { restartEveryMs: 500 });
    const first = await waitFor(
      () => routerContainer(core),
      (c) => (c?.restartCount ?? 0) >= 1,
    );
    const later = await waitFor(
      () => routerContainer(core),
      (c) => (c?.restartCount ?? 0) >= (first?.restartCount ?? 0) + 2,
    );
    expect(later?.state?.running).toBeDefined();
    expect(later?.lastState?.terminated?.exitCode).toBe(1);
  });

  it('extra-pods-kube-system: an unready extra pod next to ready named workloads', async () => {
    const { core, apps } = await install('extra-pods-kube-system');
    await waitFor(
      () => unreadyWorkloads(apps),
      (unready) => unready.length === 0,
    );
    const pods = (await core.listNamespacedPod({ namespace: 'kube-system' })).items;
    const ready = (p: k8s.V1Pod) => p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    expect(pods).toHaveLength(3);
    const extra = pods.find((p) => p.metadata?.name?.startsWith('nvidia-device-plugin-daemonset-'));
    expect(extra && ready(extra)).toBe(false);
    expect(extra?.status?.containerStatuses?.[0]?.state?.waiting?.reason).toBe('CrashLoopBackOff');
    expect(pods.filter(ready)).toHaveLength(2);
  });

  it('prerun-failure: prerun_failed.log is written and the unit ends failed', async () => {
    await install('prerun-failure');
    await waitFor(unit, (s) => s.ActiveState === 'failed');
    const log = await device.readFile(microshiftPaths.prerunLog);
    expect(log).toMatch(/^E\d{4} .*"Pre-run procedure failed"/m);
  });

  it('setScenario: a reload switches a healthy MicroShift to failing pulls without a restart', async () => {
    const { core, apps } = await install('healthy');
    await waitFor(
      () => unreadyWorkloads(apps),
      (unready) => unready.length === 0,
    );
    await setScenario(device, scenario('image-pull-fails'));
    await waitFor(
      () => routerContainer(core),
      (c) => c?.state?.waiting?.reason === 'ImagePullBackOff',
    );
    expect((await unit()).NRestarts).toBe(0);
    expect(await device.journalMessages({ unit: 'microshift.service' })).toContainEqual(
      expect.stringContaining('reloaded: scenario "image-pull-fails"'),
    );
  });

  it('disabled: installed and configured but not enabled, not running', async () => {
    const sim: InstalledMicroShift = await installMicroShift(device, {
      scenario: scenario('healthy'),
      state: 'disabled',
    });
    expect(await unit()).toMatchObject({ ActiveState: 'inactive', UnitFileState: 'disabled' });
    expect(device.exists(sim.kubeconfig)).toBe(true);
  });

  it('absent: no microshift unit and no kubeconfig', async () => {
    await installMicroShift(device, { scenario: scenario('healthy'), state: 'absent' });
    const show = await device.systemctl('show', 'microshift.service', '-p', 'LoadState');
    expect(show.stdout.trim()).toBe('LoadState=not-found');
    expect(device.exists(microshiftPaths.kubeconfig)).toBe(false);
  });
});

describe('simulated MicroShift in a device with its own network namespace', () => {
  let isolated: VirtualDevice;
  afterAll(async () => {
    await isolated?.dispose();
  });

  it('listens on 127.0.0.1:6443 inside, reachable with the kubeadmin kubeconfig from within', async () => {
    isolated = await VirtualDevice.boot({ name: 'microshift-netns', network: true });
    const sim = await installMicroShift(isolated, {
      scenario: scenario('healthy', { activeAfterMs: 0, apiReadyAfterMs: 0, workloadsReadyAfterMs: 0 }),
    });
    expect(sim.port).toBe(6443);
    // This checkout's client (the device sees the checkout at the same path), polled for up to 60 s.
    const script = `const k8s = await import('${repoRoot}/node_modules/@kubernetes/client-node/dist/index.js');
      const kc = new k8s.KubeConfig(); kc.loadFromFile('${sim.kubeconfig}');
      for (const end = Date.now() + 60000; Date.now() < end; ) {
        const ok = await new k8s.Health(kc).readyz({}).catch(() => false);
        if (ok) { console.log('ready'); process.exit(0); }
        await new Promise((r) => setTimeout(r, 100));
      }
      console.log('not ready');`;
    // `cd /` first: in a device with its own netns, exec's working directory is unreachable.
    const result = await isolated.exec(['bash', '-c', 'cd / && exec node --input-type=module -e "$0"', script]);
    expect(result.stdout.trim()).toBe('ready');
  });
});
