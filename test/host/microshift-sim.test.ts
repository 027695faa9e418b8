// The simulated MicroShift API server on the host's loopback, without a device: its health text
// format, its Kubernetes JSON as @kubernetes/client-node 1.4 reads it, watches that follow the
// timeline, Status errors and client-certificate authentication.
import * as k8s from '@kubernetes/client-node';
import { request } from 'node:https';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCerts, renderKubeconfig, simCerts, type SimCerts } from '../harness/microshift/certs.js';
import { parseScenario, scenario, type ScenarioInput } from '../harness/microshift/scenario.js';
import { startApiServer, type ApiServer } from '../harness/microshift/server.js';
import { renderWorld } from '../harness/microshift/world.js';

let certs: SimCerts;
let server: ApiServer | undefined;

beforeAll(async () => {
  certs = await simCerts();
});

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(
  input: ScenarioInput,
): Promise<{ kc: k8s.KubeConfig; get: (path: string, auth?: 'client' | 'none' | 'stranger') => Promise<Reply> }> {
  server = await startApiServer({
    scenario: parseScenario(input),
    tls: { ca: certs.ca, cert: certs.serverCert, key: certs.serverKey },
    port: 0,
    tickMs: 20,
  });
  const kc = new k8s.KubeConfig();
  kc.loadFromString(renderKubeconfig(certs, `https://127.0.0.1:${server.port}`));
  const port = server.port;
  let stranger: SimCerts | undefined;
  const get = async (path: string, auth: 'client' | 'none' | 'stranger' = 'client') => {
    const identity =
      auth === 'client'
        ? { cert: certs.clientCert, key: certs.clientKey }
        : auth === 'stranger'
          ? await strangerIdentity()
          : {};
    return httpsGet(port, path, { ca: certs.ca, ...identity });
  };
  const strangerIdentity = async () => {
    stranger ??= await createCerts();
    return { cert: stranger.clientCert, key: stranger.clientKey };
  };
  return { kc, get };
}

interface Reply {
  status: number;
  type: string;
  body: string;
}

function httpsGet(port: number, path: string, tls: { ca: string; cert?: string; key?: string }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, ...tls, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const instant = {
  process: { activeAfterMs: 0 },
  api: { readyAfterMs: 0 },
  workloads: { createdAfterMs: 0, readyAfterMs: 0 },
};

describe('simulated MicroShift API server', () => {
  it('reports /readyz and /livez in the kube-apiserver text format, failing then passing', async () => {
    // 3 s: the failing answers below must arrive before the API turns ready, also on a busy machine.
    const { get } = await start({
      api: { readyAfterMs: 3000, failingChecks: ['poststarthook/rbac/bootstrap-roles', 'etcd-readiness'] },
    });
    const readyz = await get('/readyz?verbose');
    expect(readyz.status).toBe(500);
    expect(readyz.type).toBe('text/plain; charset=utf-8');
    const lines = readyz.body.trimEnd().split('\n');
    expect(lines[0]).toBe('[+]ping ok');
    expect(lines).toContain('[-]poststarthook/rbac/bootstrap-roles failed: reason withheld');
    expect(lines).toContain('[-]etcd-readiness failed: reason withheld');
    expect(lines.at(-1)).toBe('readyz check failed');
    // A failure lists the checks even without ?verbose; livez has no etcd-readiness check.
    expect((await get('/readyz')).body).toContain('[-]etcd-readiness failed: reason withheld');
    const livez = await get('/livez?verbose');
    expect(livez.status).toBe(500);
    expect(livez.body).not.toContain('etcd-readiness');
    expect(livez.body.trimEnd().split('\n').at(-1)).toBe('livez check failed');

    let passed = await get('/readyz?verbose');
    for (
      const deadline = Date.now() + 15_000;
      passed.status !== 200 && Date.now() < deadline;
      passed = await get('/readyz?verbose')
    )
      await sleep(100);
    expect(passed.status).toBe(200);
    expect(passed.body).toMatch(/^\[\+\]ping ok\n/);
    expect(passed.body).toMatch(/\[\+\]shutdown ok\nreadyz check passed\n$/);
    expect(passed.body).not.toContain('[-]');
    expect(await get('/readyz')).toMatchObject({ status: 200, body: 'ok' });
    expect(await get('/livez')).toMatchObject({ status: 200, body: 'ok' });
    expect((await get('/livez?verbose')).body).toMatch(/livez check passed\n$/);
    expect(JSON.parse((await get('/version')).body)).toMatchObject({
      major: '1',
      minor: '28',
      gitVersion: expect.stringMatching(/^v1\.28\./),
    });
  });

  it('serves pods, deployments and daemonsets that client-node reads, following the readiness rules', async () => {
    const { kc } = await start(instant);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    expect(await new k8s.Health(kc).readyz({})).toBe(true);

    const dnsPods = await core.listNamespacedPod({ namespace: 'openshift-dns' });
    expect(dnsPods.items.map((p) => p.metadata?.ownerReferences?.[0]?.name).sort()).toEqual([
      'dns-default',
      'node-resolver',
    ]);
    for (const pod of dnsPods.items) {
      expect(pod.status?.phase).toBe('Running');
      expect(pod.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'DaemonSet', controller: true });
      for (const status of pod.status?.containerStatuses ?? []) {
        expect(status).toMatchObject({ ready: true, restartCount: 0, started: true });
        expect(status.image).toMatch(/^quay\.io\/openshift-release-dev\/ocp-v4\.0-art-dev@sha256:[0-9a-f]{64}$/);
        expect(status.state?.running?.startedAt).toBeInstanceOf(Date);
      }
    }
    const all = await core.listPodForAllNamespaces();
    expect(all.items).toHaveLength(8);
    expect(all.metadata?.resourceVersion).toMatch(/^\d+$/);

    const router = await apps.readNamespacedDeployment({ name: 'router-default', namespace: 'openshift-ingress' });
    expect(router.metadata?.generation).toBe(1);
    expect(router.status).toMatchObject({
      observedGeneration: 1,
      replicas: 1,
      updatedReplicas: 1,
      availableReplicas: 1,
      readyReplicas: 1,
    });
    expect(router.status?.conditions?.find((c) => c.type === 'Available')?.status).toBe('True');
    const master = await apps.readNamespacedDaemonSet({
      name: 'ovnkube-master',
      namespace: 'openshift-ovn-kubernetes',
    });
    expect(master.status).toMatchObject({
      desiredNumberScheduled: 1,
      updatedNumberScheduled: 1,
      numberAvailable: 1,
      numberReady: 1,
    });
    const routerPods = await core.listNamespacedPod({ namespace: 'openshift-ingress' });
    expect(routerPods.items[0]?.metadata?.ownerReferences?.[0]).toMatchObject({
      kind: 'ReplicaSet',
      name: expect.stringMatching(/^router-default-[a-z0-9]{10}$/),
    });
    expect((await apps.listNamespacedStatefulSet({ namespace: 'kube-system' })).items).toEqual([]);
    expect((await apps.listDeploymentForAllNamespaces()).items).toHaveLength(4);
    expect((await apps.listDaemonSetForAllNamespaces()).items).toHaveLength(4);
    const named = await core.listNamespacedPod({
      namespace: 'openshift-dns',
      fieldSelector: `metadata.name=${dnsPods.items[0]?.metadata?.name}`,
    });
    expect(named.items).toHaveLength(1);
  });

  it('leaves zero counters out of an unready workload, as omitempty does', async () => {
    const { kc } = await start({ ...instant, workloads: { createdAfterMs: 0, readyAfterMs: null } });
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const router = await apps.readNamespacedDeployment({ name: 'router-default', namespace: 'openshift-ingress' });
    expect(router.status?.availableReplicas).toBeUndefined();
    expect(router.status?.unavailableReplicas).toBe(1);
    const dns = await apps.readNamespacedDaemonSet({ name: 'dns-default', namespace: 'openshift-dns' });
    expect(dns.status).toMatchObject({ desiredNumberScheduled: 1, numberReady: 0, numberUnavailable: 1 });
    expect(dns.status?.numberAvailable).toBeUndefined();
  });

  it('streams MODIFIED deployments to a Watch as the timeline makes them available', async () => {
    const { kc } = await start({ ...instant, workloads: { createdAfterMs: 0, readyAfterMs: 300 } });
    const seen: { type: string; available?: number; rv?: string }[] = [];
    const closed = new Promise<unknown>((resolve) => {
      void new k8s.Watch(kc)
        .watch(
          '/apis/apps/v1/namespaces/openshift-ingress/deployments',
          {},
          (type: string, object: k8s.V1Deployment) => {
            seen.push({ type, available: object.status?.availableReplicas, rv: object.metadata?.resourceVersion });
          },
          resolve,
        )
        .then((controller) => setTimeout(() => controller.abort(), 600));
    });
    await closed;
    expect(seen[0]).toMatchObject({ type: 'ADDED', available: undefined });
    const modified = seen.find((e) => e.type === 'MODIFIED');
    expect(modified?.available).toBe(1);
    expect(Number(modified?.rv)).toBeGreaterThan(Number(seen[0]?.rv));
  });

  it('keeps an informer (list + watch from its resourceVersion) in step with pod restarts', async () => {
    const { kc } = await start({
      ...instant,
      workloads: {
        createdAfterMs: 0,
        readyAfterMs: 0,
        overrides: [{ workload: 'service-ca', steps: [{ atMs: 0, state: 'ready', restartEveryMs: 150 }] }],
      },
    });
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const informer = k8s.makeInformer(kc, '/api/v1/namespaces/openshift-service-ca/pods', () =>
      core.listNamespacedPod({ namespace: 'openshift-service-ca' }),
    );
    const counts: number[] = [];
    informer.on('update', (pod: k8s.V1Pod) => counts.push(pod.status?.containerStatuses?.[0]?.restartCount ?? -1));
    informer.on('error', () => undefined);
    await informer.start();
    for (const deadline = Date.now() + 15_000; counts.length < 2 && Date.now() < deadline;) await sleep(50);
    await informer.stop();
    expect(counts.length).toBeGreaterThanOrEqual(2);
    expect(counts.at(-1)).toBeGreaterThan(counts[0] ?? 0);
    expect(informer.list()).toHaveLength(1);
  });

  it('ends a watch from a resourceVersion it no longer has with a 410 Expired event', async () => {
    const { get } = await start(instant);
    const reply = await get('/api/v1/namespaces/kube-system/pods?watch=true&resourceVersion=1');
    const event = JSON.parse(reply.body.trim()) as { type: string; object: Record<string, unknown> };
    expect(event).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
  });

  it('answers unknown paths and missing objects with a Status 404', async () => {
    const { kc, get } = await start(instant);
    const unknown = await get('/apis/batch/v1/namespaces/default/jobs');
    expect(unknown.status).toBe(404);
    expect(unknown.type).toBe('application/json');
    expect(JSON.parse(unknown.body)).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'the server could not find the requested resource',
      reason: 'NotFound',
      details: {},
      code: 404,
    });
    const error = await kc
      .makeApiClient(k8s.AppsV1Api)
      .readNamespacedDeployment({ name: 'nope', namespace: 'openshift-ingress' })
      .catch((e: unknown) => e as k8s.ApiException<string>);
    expect(error).toBeInstanceOf(k8s.ApiException);
    expect((error as k8s.ApiException<string>).code).toBe(404);
    expect(JSON.parse((error as k8s.ApiException<string>).body)).toMatchObject({
      kind: 'Status',
      reason: 'NotFound',
      message: 'deployments.apps "nope" not found',
      details: { name: 'nope', group: 'apps', kind: 'deployments' },
    });
  });

  it('requires a client certificate signed by the cluster CA', async () => {
    const { get } = await start(instant);
    for (const auth of ['none', 'stranger'] as const) {
      const reply = await get('/readyz', auth);
      expect(reply.status).toBe(401);
      expect(JSON.parse(reply.body)).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    }
    expect((await get('/readyz')).status).toBe(200);
  });
});

describe('scenario presets', () => {
  const ctx = { startedAt: Date.parse('2024-05-01T10:00:00Z'), nodeName: 'edge-1', nodeIP: '192.168.122.10' };
  const podsAt = (name: Parameters<typeof scenario>[0], t: number) =>
    renderWorld(scenario(name), t, ctx)
      .filter((e) => e.resource === 'pods')
      .map((e) => e.object as unknown as k8s.V1Pod);

  it('reports a failing pull in the container state and as a Failed event naming the image', () => {
    const world = renderWorld(scenario('image-pull-fails'), 5000, ctx);
    const router = world.find((e) => e.resource === 'pods' && e.object.metadata.namespace === 'openshift-ingress')
      ?.object as unknown as k8s.V1Pod;
    const waiting = router.status?.containerStatuses?.[0]?.state?.waiting;
    expect(waiting?.reason).toBe('ImagePullBackOff');
    expect(waiting?.message).toContain(router.spec?.containers[0]?.image);
    const failed = world
      .filter((e) => e.resource === 'events' && e.object.reason === 'Failed')
      .map((e) => String(e.object.message));
    expect(
      failed.some((m) => m.includes('manifest unknown') && m.includes(String(router.spec?.containers[0]?.image))),
    ).toBe(true);
  });

  it('grows restartCount in pods-restarting and keeps the extra kube-system pod unready', () => {
    const restarts = (t: number) =>
      podsAt('pods-restarting', t).find((p) => p.metadata?.namespace === 'openshift-ingress')?.status
        ?.containerStatuses?.[0]?.restartCount;
    expect(restarts(4000)).toBeGreaterThan(restarts(2000) ?? Infinity);
    const kubeSystem = podsAt('extra-pods-kube-system', 5000).filter((p) => p.metadata?.namespace === 'kube-system');
    expect(kubeSystem).toHaveLength(3);
    expect(
      kubeSystem.filter((p) => p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True'),
    ).toHaveLength(2);
  });

  it('adds LVMS (openshift-storage) only when asked', () => {
    const workloads = (lvms: boolean) =>
      renderWorld(scenario('healthy', { lvms }), 5000, ctx)
        .filter((e) => e.resource === 'deployments' || e.resource === 'daemonsets')
        .map((e) => `${e.object.metadata.namespace}/${e.object.metadata.name}`);
    expect(workloads(false)).toHaveLength(8);
    expect(workloads(true)).toEqual(
      expect.arrayContaining(['openshift-storage/lvms-operator', 'openshift-storage/vg-manager']),
    );
    expect(workloads(true)).toHaveLength(10);
  });

  it('names the wrong key when a scenario is invalid', () => {
    expect(() => parseScenario({ api: { readyAfterMs: -1 } })).toThrow(/api\.readyAfterMs/);
  });
});
