// The simulated MicroShift API server against a real kubectl 1.28, in every preset scenario:
// what `kubectl get pods -A` prints (STATUS and RESTARTS are the columns MicroShift 4.15's own
// check and people read), `kubectl rollout status` (watching and not), `kubectl wait`, `kubectl
// get --raw /readyz?verbose`, nodes, replicasets, events sorted as MicroShift's failure log asks,
// and pod logs. The server runs in this process; what the simulated *process* does (exiting,
// crash-looping) is covered by the device tests, here only its API is.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { renderKubeconfig, simCerts, type SimCerts } from '../harness/microshift/certs.js';
import { realKubectl } from '../harness/microshift/real-kubectl.js';
import { scenario, scenarioNames, type ScenarioName } from '../harness/microshift/scenario.js';
import { startApiServer, type ApiServer } from '../harness/microshift/server.js';

let certs: SimCerts;
let kubectl: string;
let dir: string;
let server: ApiServer | undefined;

beforeAll(async () => {
  kubectl = realKubectl();
  certs = await simCerts();
  dir = mkdtempSync(join(tmpdir(), 'kubectl-sim-'));
}, 600_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

afterEach(async () => {
  await server?.close();
  server = undefined;
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function start(name: ScenarioName): Promise<(...args: string[]) => Promise<Run>> {
  server = await startApiServer({
    scenario: scenario(name),
    tls: { ca: certs.ca, cert: certs.serverCert, key: certs.serverKey },
    port: 0,
    tickMs: 20,
  });
  const kubeconfig = join(dir, `${name}.kubeconfig`);
  writeFileSync(kubeconfig, renderKubeconfig(certs, `https://127.0.0.1:${server.port}`));
  // Asynchronous: the server answering kubectl lives on this event loop.
  return (...args) =>
    new Promise((resolve) => {
      execFile(
        kubectl,
        ['--kubeconfig', kubeconfig, ...args],
        { timeout: 30_000, killSignal: 'SIGKILL' },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
}

interface PodRow {
  namespace: string;
  name: string;
  ready: string;
  status: string;
  restarts: string;
}

/** `kubectl get pods -A --no-headers` split on blanks, as awk does in MicroShift's check. */
function podRows(stdout: string): PodRow[] {
  return stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [namespace, name, ready, status, ...rest] = line.split(/\s+/) as string[];
      // RESTARTS may be "2 (3s ago)"; AGE is the last field.
      return {
        namespace: namespace ?? '',
        name: name ?? '',
        ready: ready ?? '',
        status: status ?? '',
        restarts: rest.slice(0, -1).join(' '),
      };
    });
}

async function until<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last = await probe();
  while (!done(last)) {
    if (Date.now() > deadline)
      throw new Error(`${what}: not reached within ${ms} ms; last seen ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    last = await probe();
  }
  return last;
}

const restarted = /^[1-9]\d* \(\d+(s|m\d*s?) ago\)$/;

// What a real cluster shows once each scenario has played out: the status every core pod
// settles in (router-default may differ), the extra pod's, whether /readyz passes and whether
// the ingress rollout completes.
const expected: Record<
  ScenarioName,
  { pods: 'none' | 'Running'; router?: string; routerRestarts?: RegExp; extra?: string; readyz: boolean }
> = {
  healthy: { pods: 'Running', readyz: true },
  'api-never-ready': { pods: 'none', readyz: false },
  'unit-fails': { pods: 'none', readyz: false },
  'prerun-failure': { pods: 'none', readyz: false },
  'crash-loop': { pods: 'none', readyz: false },
  'image-pull-stuck-then-progressing': { pods: 'Running', readyz: true },
  'image-pull-fails': { pods: 'Running', router: 'ImagePullBackOff', readyz: true },
  'pods-restarting': { pods: 'Running', routerRestarts: restarted, readyz: true },
  'extra-pods-kube-system': { pods: 'Running', extra: 'CrashLoopBackOff', readyz: true },
};

describe('the simulated MicroShift API under a real kubectl 1.28', () => {
  it('covers every preset scenario', () => {
    expect(Object.keys(expected).sort()).toEqual([...scenarioNames].sort());
  });

  it.each(scenarioNames)(
    '%s: get pods -A, rollout status, get --raw /readyz?verbose',
    async (name) => {
      const want = expected[name];
      const k = await start(name);

      // /readyz passes 0.8 s into the healthy timelines; a failing one stays as it is.
      const raw = await until(
        `${name}: /readyz settled`,
        () => k('get', '--raw', '/readyz?verbose'),
        (r) => r.code === (want.readyz ? 0 : 1),
        10_000,
      );
      if (want.readyz) {
        expect(raw.code).toBe(0);
        expect(raw.stdout).toMatch(/^\[\+\]ping ok\n/);
        expect(raw.stdout.trimEnd().split('\n').at(-1)).toBe('readyz check passed');
        // MicroShift's check keeps the lines whose second field is not "ok": none.
        expect(raw.stdout.split('\n').filter((l) => l && l.split(' ')[1] !== 'ok' && !l.startsWith('readyz'))).toEqual(
          [],
        );
      } else {
        expect(raw.code).toBe(1);
        expect(raw.stdout + raw.stderr).toMatch(/\[-\][\w/-]+ failed: reason withheld/);
      }

      if (want.pods === 'none') {
        const none = await k('get', 'pods', '-A');
        expect(none).toMatchObject({ code: 0, stdout: '' });
        expect(none.stderr).toMatch(/No resources found/);
        const missing = await k(
          'rollout',
          'status',
          'deployment/router-default',
          '-n',
          'openshift-ingress',
          '--watch=false',
        );
        expect(missing.code).toBe(1);
        expect(missing.stderr).toMatch(/deployments.apps "router-default" not found/);
        return;
      }

      const header = await k('get', 'pods', '-A');
      expect(header.stdout.split('\n')[0]?.split(/\s{2,}/)).toEqual([
        'NAMESPACE',
        'NAME',
        'READY',
        'STATUS',
        'RESTARTS',
        'AGE',
      ]);
      const settled = (rows: PodRow[]) =>
        rows.length >= 8 &&
        rows.every((row) => {
          if (row.namespace === 'openshift-ingress' && (want.router || want.routerRestarts))
            return want.router ? row.status === want.router : want.routerRestarts?.test(row.restarts);
          if (row.name.startsWith('nvidia-')) return row.status === want.extra && restarted.test(row.restarts);
          return row.status === 'Running' && row.restarts === '0' && /^(\d)\/\1$/.test(row.ready);
        });
      const rows = await until(
        `${name}: pods settled`,
        async () => podRows((await k('get', 'pods', '-A', '--no-headers')).stdout),
        settled,
      );
      expect(rows.filter((r) => r.name.startsWith('nvidia-')).length).toBe(want.extra ? 1 : 0);
      // The printed restarts agree with the pods' own restartCount.
      const pods = JSON.parse((await k('get', 'pods', '-A', '-o', 'json')).stdout) as {
        items: { metadata: { name: string }; status: { containerStatuses: { restartCount: number }[] } }[];
      };
      for (const pod of pods.items) {
        const printed = (
          await k('get', 'pods', '-A', '--no-headers', '--field-selector', `metadata.name=${pod.metadata.name}`)
        ).stdout;
        const count = pod.status.containerStatuses.reduce((sum, c) => sum + c.restartCount, 0);
        expect(Number(podRows(printed)[0]?.restarts.split(' ')[0])).toBeGreaterThanOrEqual(count);
      }

      // Not watching: MicroShift's check asks exactly this per namespace. kubectl 1.28 exits 0
      // here even while the rollout is unfinished; only the message tells.
      const once = await k(
        'rollout',
        'status',
        'deployment',
        '-n',
        'openshift-ingress',
        '--watch=false',
        '--timeout=1s',
      );
      expect(once.code).toBe(0);
      if (want.router) {
        expect(once.stdout).toMatch(
          /Waiting for deployment "router-default" rollout to finish: 0 of 1 updated replicas are available/,
        );
        const watching = await k(
          'rollout',
          'status',
          'deployment/router-default',
          '-n',
          'openshift-ingress',
          '--timeout=2s',
        );
        expect(watching.code).toBe(1);
        expect(watching.stderr).toMatch(/timed out waiting for the condition/);
      } else {
        expect(once.stdout).toBe('deployment "router-default" successfully rolled out\n');
      }
      // Watching: kubectl lists, then watches; it must return as soon as the condition holds.
      const started = Date.now();
      const watched = await k('rollout', 'status', 'daemonset/dns-default', '-n', 'openshift-dns', '--timeout=20s');
      expect(watched).toMatchObject({ code: 0, stdout: 'daemon set "dns-default" successfully rolled out\n' });
      expect(Date.now() - started).toBeLessThan(10_000);
      const waited = await k(
        'wait',
        '--for=condition=Available',
        'deployment',
        '--all',
        '-n',
        'kube-system',
        '--timeout=20s',
      );
      expect(waited.code).toBe(0);
      expect(waited.stdout).toMatch(/deployment.apps\/csi-snapshot-controller condition met/);
    },
    120_000,
  );

  it('prints nodes, replicasets, workloads with -o wide, sorted events and pod logs', async () => {
    const k = await start('pods-restarting');
    const router = async () =>
      podRows((await k('get', 'pods', '-A', '--no-headers')).stdout).find((r) => r.namespace === 'openshift-ingress')
        ?.restarts ?? '';
    await until('router restarted', router, (r) => restarted.test(r));

    const nodes = await k('get', 'nodes', '-o', 'wide');
    expect(nodes.code).toBe(0);
    const [nodeHeader, node] = nodes.stdout
      .trim()
      .split('\n')
      .map((line) => line.split(/\s{2,}/));
    expect(nodeHeader).toEqual([
      'NAME',
      'STATUS',
      'ROLES',
      'AGE',
      'VERSION',
      'INTERNAL-IP',
      'EXTERNAL-IP',
      'OS-IMAGE',
      'KERNEL-VERSION',
      'CONTAINER-RUNTIME',
    ]);
    expect(node?.slice(0, 3)).toEqual(['microshift-sim', 'Ready', 'control-plane,master,worker']);
    expect(node?.[4]).toMatch(/^v1\.28\./);

    const rs = await k('get', 'rs', '-n', 'openshift-ingress', '--no-headers');
    expect(rs.stdout).toMatch(/^router-default-\w+\s+1\s+1\s+1\s+\S+\n$/);
    const ds = await k('get', 'ds', '-n', 'openshift-dns', '-o', 'wide');
    expect(ds.stdout.split('\n')[0]?.split(/\s{2,}/)).toEqual([
      'NAME',
      'DESIRED',
      'CURRENT',
      'READY',
      'UP-TO-DATE',
      'AVAILABLE',
      'NODE SELECTOR',
      'AGE',
      'CONTAINERS',
      'IMAGES',
      'SELECTOR',
    ]);
    expect(ds.stdout).toMatch(
      /dns-default\s+1\s+1\s+1\s+1\s+1\s+<none>\s+\S+\s+dns,kube-rbac-proxy\s+\S+\s+app=dns-default\n/,
    );
    const wide = await k('get', 'pods', '-n', 'openshift-ingress', '-o', 'wide', '--no-headers');
    expect(wide.stdout).toMatch(/\s10\.42\.0\.\d+\s+microshift-sim\s+<none>\s+<none>\n$/);

    // MicroShift's failure log sorts events, which makes kubectl ask for whole objects.
    const events = await k('get', 'events', '-A', '--sort-by=.metadata.creationTimestamp');
    expect(events.code).toBe(0);
    expect(events.stdout.split('\n')[0]?.split(/\s{2,}/)).toEqual([
      'NAMESPACE',
      'LAST SEEN',
      'TYPE',
      'REASON',
      'OBJECT',
      'MESSAGE',
    ]);
    expect(events.stdout).toMatch(/Normal\s+Started\s+pod\/router-default-\S+\s+Started container router/);
    expect(events.stdout).toMatch(/\(x\d+ over \S+\)\s+Normal\s+Started\s+pod\/router-default/);

    const logs = await k('logs', '-n', 'openshift-ingress', 'deployment/router-default');
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/^simulated router \(instance \d+\) started from quay\.io\//);
    const previous = await k('logs', '-n', 'openshift-ingress', 'deployment/router-default', '--previous');
    expect(previous.stdout).toMatch(/simulated router exiting with code 1\n$/);
    const ambiguous = await k('logs', '-n', 'openshift-dns', 'daemonset/dns-default', '-c', 'nope');
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toMatch(/container nope is not valid for pod dns-default-/);
  }, 120_000);

  it('follows the timeline in `kubectl get -w` (Table watch events)', async () => {
    const k = await start('image-pull-fails');
    const seen = await k('get', 'pods', '-n', 'openshift-ingress', '--watch', '--no-headers', '--request-timeout=4s');
    // The watch ends at the request timeout; by then the router went from pulling to back-off.
    const statuses = podRows(seen.stdout.replace(/^/gm, 'openshift-ingress ')).map((r) => r.status);
    expect(statuses[0]).toMatch(/^(ContainerCreating|ErrImagePull|ImagePullBackOff)$/);
    expect(statuses).toContain('ImagePullBackOff');
  }, 60_000);
});
