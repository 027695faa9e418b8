// The MicroShift assessment: fail-fast on what waiting cannot fix, MicroShift's own patience
// for everything else. The property test replays random boots through a model of MicroShift's
// 4.15 check and asserts we never fail a boot that it would pass.
import { describe, expect, it } from 'vitest';
import { MicroShiftAssessor, type MicroShiftCheckPlan } from '../../../agent/core/microshift-check.js';
import type {
  MicroShiftObservation,
  PodObservation,
  WorkloadObservation,
  WorkloadRef,
} from '../../../agent/core/microshift-observation.js';

const workloads: WorkloadRef[] = [
  { namespace: 'openshift-dns', kind: 'DaemonSet', name: 'dns-default' },
  { namespace: 'openshift-ingress', kind: 'Deployment', name: 'router-default' },
];
const plan: MicroShiftCheckPlan = {
  budgetMs: 600_000,
  workloads,
  crashLoopRestarts: 3,
  containerRestarts: 3,
  restartWindowMs: 60_000,
  restartSettleMs: 20_000,
};

function observation(
  overrides: Partial<MicroShiftObservation> & { ready?: string[]; active?: boolean } = {},
): MicroShiftObservation {
  const ready = new Set(overrides.ready ?? []);
  const active = overrides.active ?? true;
  return {
    unit: {
      loadState: 'loaded',
      activeState: active ? 'active' : 'activating',
      subState: active ? 'running' : 'start',
      nRestarts: 0,
      unitFileState: 'enabled',
    },
    api: active
      ? {
          reachable: true,
          readyz: { ok: ready.has('api'), failing: ready.has('api') ? [] : ['etcd'] },
          livez: { ok: true, failing: [] },
        }
      : undefined,
    pods: ready.has('pods') ? [pod('openshift-dns', 'dns-default-x', {})] : [],
    workloads: workloads.map((w): WorkloadObservation => ({
      ...w,
      found: true,
      ready: ready.has(w.namespace),
      detail: ready.has(w.namespace) ? '1/1 available' : '0/1 available',
    })),
    ...overrides,
  };
}

// Pods owned like the real ones: DaemonSet pods by the DaemonSet, Deployment pods by a ReplicaSet.
function pod(
  namespace: string,
  name: string,
  container: { restartCount?: number; waitingReason?: string; waitingMessage?: string },
): PodObservation {
  const workload = workloads.find((w) => w.namespace === namespace);
  const owner =
    workload?.kind === 'Deployment'
      ? { kind: 'ReplicaSet', name: `${workload.name}-5d8f7c9b4` }
      : workload
        ? { kind: workload.kind, name: workload.name }
        : undefined;
  return {
    namespace,
    name,
    phase: 'Running',
    owner,
    containers: [{ name: 'main', image: 'quay.io/example/img@sha256:1', ready: true, restartCount: 0, ...container }],
  };
}

describe('MicroShiftAssessor', () => {
  it('accepts every stage in one observation, then passes after the settle period', () => {
    const a = new MicroShiftAssessor(plan, 0);
    const all = observation({ ready: ['api', 'pods', 'openshift-dns', 'openshift-ingress'] });
    expect(a.assess(observation({ active: false }), 1000)).toMatchObject({ done: false });
    expect(a.assess(all, 2000)).toMatchObject({
      done: false,
      progress: 'all ready; watching core containers for restarts',
    });
    expect(a.readyAt).toBe(2000);
    expect(a.assess(all, 21_999)).toMatchObject({ done: false });
    expect(a.assess(all, 22_000)).toMatchObject({ done: true, report: { outcome: 'pass', reason: 'ok' } });
  });

  it('fails a container that starts restarting after everything was ready', () => {
    const a = new MicroShiftAssessor(plan, 0);
    const all = ['api', 'pods', 'openshift-dns', 'openshift-ingress'];
    const router = (n: number) =>
      observation({ ready: all, pods: [pod('openshift-ingress', 'router-default-x', { restartCount: n })] });
    expect(a.assess(router(0), 1000).done).toBe(false);
    expect(a.assess(router(1), 3000).done).toBe(false);
    expect(a.assess(router(3), 9000)).toMatchObject({ done: true, report: { reason: 'container-restarting' } });
  });

  it.each([
    [
      'unit failed',
      observation({
        unit: {
          loadState: 'loaded',
          activeState: 'failed',
          subState: 'failed',
          nRestarts: 5,
          unitFileState: 'enabled',
        },
      }),
      'unit-failed',
    ],
    ['pre-run failure', observation({ prerunFailed: ['a', 'FATAL: data version mismatch'] }), 'prerun-failed'],
    [
      'manifest unknown',
      observation({
        pods: [
          pod('openshift-dns', 'dns-default-x', {
            waitingReason: 'ErrImagePull',
            waitingMessage: 'reading manifest sha256:1: manifest unknown',
          }),
        ],
      }),
      'image-pull-failed',
    ],
    [
      'unauthorized back-off',
      observation({
        pods: [
          pod('openshift-ingress', 'router-default-x', {
            waitingReason: 'ImagePullBackOff',
            waitingMessage: 'Back-off pulling image: unauthorized: access denied',
          }),
        ],
      }),
      'image-pull-failed',
    ],
    [
      'invalid image name',
      observation({ pods: [pod('openshift-dns', 'dns-default-y', { waitingReason: 'InvalidImageName' })] }),
      'image-pull-failed',
    ],
  ])('fails at once on %s', (_name, o, reason) => {
    const a = new MicroShiftAssessor(plan, 0);
    expect(a.assess(o, 10)).toMatchObject({ done: true, report: { outcome: 'fail', reason } });
  });

  it('keeps waiting while a pull is merely slow or failing transiently', () => {
    const a = new MicroShiftAssessor(plan, 0);
    const slow = observation({ pods: [pod('openshift-dns', 'dns-default-x', { waitingReason: 'ContainerCreating' })] });
    const transient = observation({
      pods: [
        pod('openshift-dns', 'dns-default-x', {
          waitingReason: 'ErrImagePull',
          waitingMessage: 'dial tcp: i/o timeout',
        }),
      ],
    });
    expect(a.assess(slow, 1000).done).toBe(false);
    expect(a.assess(transient, 2000).done).toBe(false);
  });

  it('fails a crash loop when NRestarts grows by the threshold within the window, not before', () => {
    const a = new MicroShiftAssessor(plan, 0);
    const restarts = (n: number) =>
      observation({
        active: false,
        unit: {
          loadState: 'loaded',
          activeState: 'activating',
          subState: 'auto-restart',
          nRestarts: n,
          unitFileState: 'enabled',
        },
      });
    expect(a.assess(restarts(0), 0).done).toBe(false);
    expect(a.assess(restarts(2), 20_000).done).toBe(false);
    expect(a.assess(restarts(3), 30_000)).toMatchObject({ done: true, report: { reason: 'crash-loop' } });
  });

  it('forgets restarts older than the window', () => {
    const a = new MicroShiftAssessor(plan, 0);
    const restarts = (n: number) =>
      observation({
        active: false,
        unit: {
          loadState: 'loaded',
          activeState: 'activating',
          subState: 'auto-restart',
          nRestarts: n,
          unitFileState: 'enabled',
        },
      });
    expect(a.assess(restarts(0), 0).done).toBe(false);
    expect(a.assess(restarts(2), 50_000).done).toBe(false);
    expect(a.assess(restarts(3), 120_000).done).toBe(false);
  });

  it('ignores pods that belong to no core workload (an extra plugin in kube-system)', () => {
    const a = new MicroShiftAssessor(plan, 0);
    const extra = (n: number): PodObservation => ({
      namespace: 'openshift-dns',
      name: 'gpu-plugin-x',
      phase: 'Running',
      owner: { kind: 'DaemonSet', name: 'gpu-plugin' },
      containers: [
        {
          name: 'plugin',
          image: 'nvcr.io/x',
          ready: false,
          restartCount: n,
          waitingReason: 'ErrImagePull',
          waitingMessage: 'manifest unknown',
        },
      ],
    });
    expect(a.assess(observation({ pods: [extra(0)] }), 0).done).toBe(false);
    expect(a.assess(observation({ pods: [extra(9)] }), 10_000).done).toBe(false);
  });

  it('names the pod and container whose restart count keeps growing', () => {
    const a = new MicroShiftAssessor(plan, 0);
    const restarting = (n: number) =>
      observation({
        pods: [pod('openshift-dns', 'dns-default-abc', { restartCount: n, waitingReason: 'CrashLoopBackOff' })],
      });
    expect(a.assess(restarting(1), 0).done).toBe(false);
    const result = a.assess(restarting(4), 40_000);
    expect(result).toMatchObject({ done: true, report: { reason: 'container-restarting' } });
    expect(result.done && result.report.message).toContain('openshift-dns/dns-default-abc');
  });

  it('holds the pass while a core container restarted moments ago, then passes once it stays up', () => {
    const a = new MicroShiftAssessor(plan, 0);
    const all = ['api', 'pods', 'openshift-dns', 'openshift-ingress'];
    const withPod = (ago: number) =>
      observation({
        ready: all,
        pods: [
          {
            ...pod('openshift-dns', 'dns-default-x', { restartCount: 1 }),
            containers: [{ name: 'dns', image: 'i', ready: true, restartCount: 1, lastRestartAgoMs: ago }],
          },
        ],
      });
    expect(a.assess(withPod(5000), 1000)).toMatchObject({ done: false });
    expect(a.assess(withPod(19_000), 15_000)).toMatchObject({
      done: false,
      progress: expect.stringContaining('to stay up'),
    });
    expect(a.assess(withPod(25_000), 21_000)).toMatchObject({ done: true, report: { outcome: 'pass' } });
  });

  it('times out a stage only after MicroShift would, naming what is missing', () => {
    const a = new MicroShiftAssessor(plan, 0);
    expect(a.assess(observation({ ready: [] }), 0).done).toBe(false);
    expect(a.assess(observation({ ready: [] }), 604_000).done).toBe(false);
    const result = a.assess(observation({ ready: [] }), 605_000);
    expect(result).toMatchObject({ done: true, report: { outcome: 'timeout', reason: 'api-timeout' } });
    expect(result.done && result.report.message).toContain('etcd');
  });
});

// A model of MicroShift 4.15's check for a boot whose stages become ready at given times and
// stay ready: each stage waits up to its allowance after the previous one was accepted, polling
// once a second. Returns whether it passes.
function microshiftPasses(readyAt: number[], allowances: number[]): boolean {
  let accepted = 0;
  for (let i = 0; i < readyAt.length; i++) {
    const at = Math.max(accepted, Math.ceil((readyAt[i] as number) / 1000) * 1000);
    if (at - accepted > (allowances[i] as number)) return false;
    accepted = at;
  }
  return true;
}

describe('never stricter than MicroShift', () => {
  it('passes every random boot that MicroShift 4.15 would pass (2000 boots)', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const t = 60_000;
    const small: MicroShiftCheckPlan = { ...plan, budgetMs: t };
    // stages: unit, api, pods, dns, ingress
    const allowances = [t, t, t, 2 * t, 2 * t];
    let compared = 0;
    for (let boot = 0; boot < 2000; boot++) {
      const readyAt = allowances.map(() => Math.floor(random() * 2.5 * t));
      if (!microshiftPasses(readyAt, allowances)) continue;
      compared++;
      const a = new MicroShiftAssessor(small, 0);
      let outcome: string | undefined;
      for (let now = 0; now <= 9 * t && !outcome; now += 500) {
        const ready = ['api', 'pods', 'openshift-dns', 'openshift-ingress'].filter(
          (_, i) => (readyAt[i + 1] as number) <= now,
        );
        const result = a.assess(observation({ active: (readyAt[0] as number) <= now, ready }), now);
        if (result.done) outcome = result.report.outcome;
      }
      expect(outcome, `boot ${boot} ready at ${readyAt.join(',')}`).toBe('pass');
    }
    expect(compared).toBeGreaterThan(100);
  });
});
