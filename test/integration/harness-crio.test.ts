// Proves the CRI-O stand-in on a virtual edge device with the simulated MicroShift healthy: the
// core workloads' pods are CRI-O pods with real processes (pause, conmon, ovn-controller, ...)
// that crictl reports by pid, that outlive microshift.service and crio.service as real ones do,
// that `crictl rmp -f` ends; a podman container's conmon is not CRI-O's and survives. The
// adapter (agent/host/crio.ts) runs on the host against the device's crictl. One device; the
// tests run in order and later ones remove pods.
import * as k8s from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCrio, type Crio } from '../../agent/host/crio.js';
import type { Exec } from '../../agent/host/exec.js';
import { createHostFs } from '../../agent/host/fs.js';
import { installCrio, setCrioFaults, startPodmanContainer } from '../harness/crio/install.js';
import { ovnLeftovers } from '../harness/crio/paths.js';
import { listCrioProcesses, listProcesses, readProcess } from '../harness/crio/processes.js';
import { installMicroShift, type InstalledMicroShift } from '../harness/microshift/install.js';
import { scenario } from '../harness/microshift/scenario.js';
import { VirtualDevice } from '../harness/vdev.js';

let device: VirtualDevice;
let microshift: InstalledMicroShift;
let crio: Crio;

/** The agent's subprocess port, run inside the device (vdev reports a time limit as exit 124). */
function deviceExec(d: VirtualDevice): Exec {
  return {
    async run(file, args, request = {}) {
      const result = await d.exec([file, ...args], { timeoutMs: request.timeoutMs, input: request.input });
      return { ...result, timedOut: result.exitCode === 124 };
    },
  };
}

async function waitFor<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await probe();
    if (accept(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
}

async function crictl(...args: string[]) {
  return device.exec(['crictl', ...args]);
}

async function crictlJson<T>(...args: string[]): Promise<T> {
  const result = await crictl(...args);
  if (result.exitCode !== 0) throw new Error(`crictl ${args.join(' ')} exited ${result.exitCode}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

type PodsJson = { items: { id: string; metadata: { name: string; uid: string; namespace: string }; state: string }[] };
type StatusJson = { info: { pid: number }; status: { id: string; state: string } };
type PsJson = { containers: { id: string; podSandboxId: string; metadata: { name: string }; state: string }[] };

const expectedExecutables: Record<string, string[]> = {
  'openshift-ovn-kubernetes/ovnkube-master': ['ovn-northd', 'ovnkube', 'ovsdb-server', 'ovsdb-server'],
  'openshift-ovn-kubernetes/ovnkube-node': ['ovn-controller'],
  'openshift-dns/dns-default': ['coredns', 'kube-rbac-proxy'],
  'openshift-ingress/router-default': ['openshift-route'],
};

beforeAll(async () => {
  const started = Date.now();
  device = await VirtualDevice.boot({ name: 'crio-sim' });
  await installCrio(device);
  microshift = await installMicroShift(device, { scenario: scenario('healthy') });
  // 8 pods with 12 containers: every container running.
  await waitFor(
    () => crictl('ps', '-q'),
    (r) => r.stdout.trim().split('\n').filter(Boolean).length === 12,
  );
  crio = createCrio({ exec: deviceExec(device), fs: createHostFs(device.root), timeoutMs: 10_000 });
  console.log(`crio-sim device ready in ${Date.now() - started} ms`);
});

afterAll(async () => {
  await device?.dispose();
});

describe('CRI-O stand-in on a virtual edge device', () => {
  it("runs the pods the simulated MicroShift's API shows, in their namespaces", async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(microshift.hostKubeconfig);
    const apiPods = (await kc.makeApiClient(k8s.CoreV1Api).listPodForAllNamespaces()).items.map(
      (p) => `${p.metadata?.namespace}/${p.metadata?.name}/${p.metadata?.uid}`,
    );
    const { items } = await crictlJson<PodsJson>('pods', '-o', 'json');
    expect(items.map((p) => `${p.metadata.namespace}/${p.metadata.name}/${p.metadata.uid}`).sort()).toEqual(
      apiPods.sort(),
    );
    expect(items.every((p) => p.state === 'SANDBOX_READY')).toBe(true);

    const ovn = await crictl('pods', '--namespace', 'openshift-ovn-kubernetes', '-q');
    expect(ovn.stdout.trim().split('\n')).toHaveLength(2);
    const table = (await crictl('pods')).stdout.split('\n');
    // Column widths follow the longest cell (e.g. "About a minute ago" under a slow run).
    expect(table[0]).toMatch(/^POD ID {14}CREATED +STATE +NAME +NAMESPACE +ATTEMPT +RUNTIME$/);
    expect(
      table.filter((line) => / Ready +ovnkube-node-\w+ +openshift-ovn-kubernetes +0 +\(default\)$/.test(line)),
    ).toHaveLength(1);
  });

  it('gives each pod a pause and each container a conmon parent, with the pids crictl reports', async () => {
    const { items } = await crictlJson<PodsJson>('pods', '-o', 'json');
    for (const pod of items) {
      const sandbox = await crictlJson<StatusJson>('inspectp', pod.id);
      const pause = await readProcess(device, sandbox.info.pid);
      expect(pause).toMatchObject({
        comm: 'pause',
        cgroup: expect.stringMatching(new RegExp(`/kubepods-burstable-pod\\w+\\.slice/crio-${pod.id}\\.scope$`)),
      });
      expect(await readProcess(device, pause!.ppid)).toMatchObject({
        comm: 'conmon',
        cgroup: expect.stringMatching(new RegExp(`/crio-conmon-${pod.id}\\.scope$`)),
      });

      const { containers } = await crictlJson<PsJson>('ps', '-a', '-o', 'json', '--pod', pod.id);
      const comms: string[] = [];
      for (const c of containers) {
        const status = await crictlJson<StatusJson>('inspect', c.id);
        const main = await readProcess(device, status.info.pid);
        expect(main?.cgroup).toMatch(new RegExp(`/crio-${c.id}\\.scope$`));
        expect(await readProcess(device, main!.ppid)).toMatchObject({
          comm: 'conmon',
          cgroup: expect.stringMatching(new RegExp(`/crio-conmon-${c.id}\\.scope$`)),
        });
        comms.push(main!.comm);
      }
      const workload = `${pod.metadata.namespace}/${pod.metadata.name.replace(/(-[a-z0-9]{10})?-[a-z0-9]{5}$/, '')}`;
      if (expectedExecutables[workload]) expect(comms.sort()).toEqual(expectedExecutables[workload]);
    }
  });

  it("lists the node's images as crictl does: `image -q <ref>` (MicroShift's check), `images` table and -o json", async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(microshift.hostKubeconfig);
    const pods = await kc.makeApiClient(k8s.CoreV1Api).listPodForAllNamespaces();
    const refs = [...new Set(pods.items.flatMap((p) => (p.spec?.containers ?? []).map((c) => c.image!)))];
    expect(refs.length).toBeGreaterThan(5);
    const listed = await crictlJson<{
      images: {
        id: string;
        repoTags: string[];
        repoDigests: string[];
        size: string;
        pinned: boolean;
        uid: null;
        spec: null;
      }[];
    }>('images', '-o', 'json');
    // Every image a pod runs, plus the pause image (pinned).
    expect(listed.images).toHaveLength(refs.length + 1);
    expect(listed.images.filter((i) => i.pinned)).toHaveLength(1);
    for (const image of listed.images) {
      expect(image).toMatchObject({
        id: expect.stringMatching(/^[0-9a-f]{64}$/),
        repoTags: [],
        size: expect.stringMatching(/^\d+$/),
        uid: null,
        spec: null,
      });
      expect(image.repoDigests[0]).toMatch(/@sha256:[0-9a-f]{64}$/);
    }
    for (const ref of refs) {
      const one = await crictl('image', '-q', ref);
      expect(one.exitCode).toBe(0);
      expect(one.stdout).toBe(`${listed.images.find((i) => i.repoDigests.includes(ref))?.id}\n`);
    }
    // An image the node does not have: nothing printed, still exit 0 (the check tests for empty).
    const missing = await crictl(
      'image',
      '-q',
      'quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:' + '0'.repeat(64),
    );
    expect(missing).toMatchObject({ exitCode: 0, stdout: '' });
    const table = (await crictl('images', '--digests')).stdout.trimEnd().split('\n');
    expect(table[0]).toMatch(/^IMAGE\s+TAG\s+DIGEST\s+IMAGE ID\s+SIZE$/);
    expect(table).toHaveLength(refs.length + 2);
    for (const row of table.slice(1))
      expect(row).toMatch(/^\S+\s+<none>\s+[0-9a-f]{13}\s+[0-9a-f]{13}\s+\d+(\.\d+)?MB$/);
    // `img` is the same command; an unknown one is refused like the real client.
    expect((await crictl('img', '-q')).stdout.trim().split('\n')).toHaveLength(refs.length + 1);
    expect((await crictl('imagez')).stderr).toMatch(/No help topic for 'imagez'/);
  });

  it('the adapter, run from the host against the device, finds the same processes', async () => {
    expect(await crio.available()).toBe(true);
    const recorded = await listCrioProcesses(device);
    const pods = await crio.pods({ namespace: 'openshift-ovn-kubernetes', withPausePid: true });
    expect(pods.map((p) => p.name.replace(/-\w+$/, '')).sort()).toEqual(['ovnkube-master', 'ovnkube-node']);
    for (const pod of pods) {
      const pids = await crio.podPids(pod.id);
      const mine = recorded.filter((p) => p.podId === pod.id);
      expect(pids.pause).toBe(pod.pausePid);
      expect(pids.pause).toBe(mine.find((p) => p.role === 'pause')?.pid);
      expect(pids.pauseConmonPid).toBe(mine.find((p) => p.role === 'conmon' && p.container === 'POD')?.pid);
      expect(pids.containers.map((c) => [c.name, c.pid, c.conmonPid]).sort()).toEqual(
        mine
          .filter((p) => p.role === 'container')
          .map((p) => [
            p.container,
            p.pid,
            mine.find((m) => m.role === 'conmon' && m.containerId === p.containerId)?.pid,
          ])
          .sort(),
      );
    }
    const node = pods.find((p) => p.name.startsWith('ovnkube-node'))!;
    const [controller] = (await crio.podPids(node.id)).containers;
    expect((await readProcess(device, controller!.pid))?.comm).toBe('ovn-controller');
  });

  it('leaves the OVN files and runs ovsdb-server.service, as MicroShift on RHEL does', async () => {
    // From the host, /var/run (a symlink to /run) would resolve against the host's root.
    for (const path of Object.values(ovnLeftovers))
      expect(existsSync(device.path(path.replace(/^\/var\/run\//, '/run/'))), path).toBe(true);
    expect(await device.readFile(ovnLeftovers.cniConfig)).toContain('"type":"ovn-k8s-cni-overlay"');
    expect((await device.systemctl('is-active', 'ovsdb-server.service')).stdout.trim()).toBe('active');
    expect((await listProcesses(device, ['ovsdb-server'])).map((p) => p.cgroup.split('/').pop()).sort()).toEqual(
      [
        ...(await listCrioProcesses(device))
          .filter((p) => p.live?.comm === 'ovsdb-server')
          .map((p) => `crio-${p.containerId}.scope`),
        'ovsdb-server.service',
      ].sort(),
    );
  });

  it('pods keep running when microshift.service stops, and are not run twice when it starts again', async () => {
    const before = await listCrioProcesses(device);
    await device.sh('systemctl stop microshift.service microshift-etcd.service');
    const after = await listCrioProcesses(device);
    expect(after.map((p) => p.live?.startTicks)).toEqual(before.map((p) => p.live?.startTicks));
    expect(after.every((p) => p.live !== undefined)).toBe(true);

    await device.sh('systemctl start microshift.service');
    await waitFor(
      () => device.journalMessages({ unit: 'microshift.service' }),
      (m) => m.filter((line) => line.includes('kubelet: CRI-O runs the pods')).length >= 2,
    );
    const { items } = await crictlJson<PodsJson>('pods', '-o', 'json');
    expect(items.map((p) => p.id).sort()).toEqual([...new Set(before.map((p) => p.podId))].sort());
  });

  it('without crio.service crictl fails as the real one does; pods run on and are known again after a restart', async () => {
    await device.sh('systemctl stop crio.service');
    const down = await crictl('pods', '-q');
    expect(down.exitCode).toBe(1);
    expect(down.stderr).toMatch(
      /level=fatal msg="validate service connection: validate CRI v1 runtime API for endpoint \\"unix:\/\/\/var\/run\/crio\/crio.sock\\": rpc error: code = Unavailable desc = connection error: .*connect: no such file or directory/,
    );
    expect(await crio.available()).toBe(false);
    await expect(crio.pods()).rejects.toMatchObject({ code: 'crio-unavailable', retryable: true });
    expect((await listCrioProcesses(device)).every((p) => p.live !== undefined)).toBe(true);

    await device.sh('systemctl start crio.service');
    expect((await crictl('pods', '-q')).stdout.trim().split('\n')).toHaveLength(8);
  });

  it('`crictl rmp -f` ends every process of the pod, and the pod is then unknown', async () => {
    const pod = (await crio.pods({ namespace: 'openshift-dns' })).find((p) => p.name.startsWith('dns-default-'));
    const mine = (await listCrioProcesses(device)).filter((p) => p.podId === pod!.id);
    expect(mine).toHaveLength(6);
    const removed = await crictl('rmp', '-f', pod!.id);
    expect(removed).toMatchObject({ exitCode: 0, stdout: `Stopped sandbox ${pod!.id}\nRemoved sandbox ${pod!.id}\n` });
    for (const p of mine) expect(await readProcess(device, p.pid), `${p.role} ${p.container}`).toBeUndefined();

    const again = await crictl('rmp', '-f', pod!.id);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain(
      `level=fatal msg="getting sandbox status of pod \\"${pod!.id}\\": rpc error: code = NotFound desc = could not find pod`,
    );
    expect(await crio.removePods([pod!.id])).toEqual([
      { id: pod!.id, outcome: 'gone', reason: expect.stringContaining('NotFound') },
    ]);
    expect(await crio.podPids(pod!.id)).toEqual({ containers: [] });
  });

  it('scripted faults: a removal that fails twice, one that hangs past the deadline', async () => {
    const [router] = await crio.pods({ namespace: 'openshift-ingress' });
    await setCrioFaults(device, [{ namespace: 'openshift-ingress', failTimes: 2 }]);
    const first = await crio.removePods([router!.id, router!.id]);
    expect(first.map((r) => r.outcome)).toEqual(['failed', 'failed']);
    expect(first[0]!.reason).toContain('failed to destroy network for pod sandbox');
    expect(await crio.removePods([router!.id])).toEqual([{ id: router!.id, outcome: 'removed' }]);

    const [ca] = await crio.pods({ namespace: 'openshift-service-ca' });
    await setCrioFaults(device, [{ id: ca!.id.slice(0, 12), hangMs: 2500, hangTimes: 1 }]);
    // crictl's own deadline (1 s) ends the call before the hang (2.5 s) does.
    const hung = await crictl('-t', '1s', 'rmp', '-f', ca!.id);
    expect(hung.exitCode).toBe(1);
    expect(hung.stderr).toContain('rpc error: code = DeadlineExceeded desc = context deadline exceeded');
    // CRI-O carries on after the client gave up: the pod ends up stopped.
    await waitFor(
      () => crio.pods({ namespace: 'openshift-service-ca' }),
      (pods) => pods[0]?.state === 'notready',
    );
    expect(await crio.removePods([ca!.id], { timeoutMs: 3000 })).toEqual([{ id: ca!.id, outcome: 'removed' }]);
  });

  it("a podman container's conmon is not CRI-O's and survives the removal of every pod", async () => {
    const podman = await startPodmanContainer(device, 'web', { process: 'ovn-controller' });
    expect(await readProcess(device, podman.conmonPid)).toMatchObject({
      comm: 'conmon',
      cgroup: `/machine.slice/${podman.conmonScope}`,
    });
    expect(await readProcess(device, podman.pid)).toMatchObject({
      comm: 'ovn-controller',
      ppid: podman.conmonPid,
      cgroup: `/machine.slice/${podman.scope}`,
    });

    await device.sh('systemctl stop microshift.service microshift-etcd.service');
    const pods = await crio.pods();
    const crioPids = (await Promise.all(pods.map((p) => crio.podPids(p.id)))).flatMap((p) => [
      p.pause,
      p.pauseConmonPid,
      ...p.containers.flatMap((c) => [c.pid, c.conmonPid]),
    ]);
    expect(crioPids).not.toContain(podman.conmonPid);
    expect(crioPids).not.toContain(podman.pid);

    // As microshift-cleanup-data orders it: openshift-ovn-kubernetes last.
    const ordered = [
      ...pods.filter((p) => p.namespace !== 'openshift-ovn-kubernetes'),
      ...pods.filter((p) => p.namespace === 'openshift-ovn-kubernetes'),
    ];
    const results = await crio.removePods(ordered.map((p) => p.id));
    expect(results.map((r) => r.outcome)).toEqual(ordered.map(() => 'removed'));
    expect((await crictl('pods', '-q')).stdout).toBe('');
    expect((await listCrioProcesses(device)).length).toBe(0);

    const left = await listProcesses(device, ['conmon', 'pause', 'ovn-controller', 'ovn-northd']);
    expect(left.map((p) => p.pid).sort()).toEqual([podman.conmonPid, podman.pid].sort());
  });

  it('keeps the images after every pod is removed, as CRI-O does', async () => {
    expect((await crictl('pods', '-q')).stdout.trim()).toBe('');
    const ids = (await crictl('images', '-q')).stdout.trim().split('\n').filter(Boolean);
    expect(ids.length).toBeGreaterThan(5);
  });
});
