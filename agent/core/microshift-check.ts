// The MicroShift check's decisions, pure. Fed one observation at a time (monotonic ms), it says
// pass, fail or keep waiting.
//
// Patience: MicroShift's own check (4.15) gives every stage the full budget T, one stage after
// another: unit active, API ready, any pod running, then the images of every core namespace in
// turn (T each), then the ready pods of every core namespace in turn (T each). We watch all
// stages at once but give each the latest deadline MicroShift's chain allows, so a boot that
// MicroShift's check would pass is never failed here for being slow (no new false reds). The
// images are not seen here (MicroShift asks crictl): a core container that has started had its
// image, so "every core container started" is a moment at or after MicroShift's images stage;
// until then the namespaces' deadlines count from the latest that stage could end.
// Impatience: a failure that waiting cannot fix ends the check at once: unit failed, crash loop,
// pre-run failure, a permanent image pull error, a core container that keeps restarting once
// everything was ready.
import type { CheckReport } from './check-result.js';
import {
  podBelongsTo,
  type ContainerObservation,
  type MicroShiftObservation,
  type PodObservation,
  type PullEventObservation,
  type WorkloadObservation,
  type WorkloadRef,
} from './microshift-observation.js';

export interface MicroShiftCheckPlan {
  budgetMs: number;
  workloads: WorkloadRef[];
  /** NRestarts growth within the window that means a crash loop. */
  crashLoopRestarts: number;
  /** Container restart-count growth within the window that fails the check. */
  containerRestarts: number;
  restartWindowMs: number;
  /** A core container that restarted this recently holds the pass until it has stayed up this long. */
  restartSettleMs: number;
}

// MicroShift 4.15 polls once a second (`wait_for`: probe, sleep 1, give up once T whole seconds
// have gone), so it notices a stage is done up to 1 s after it is, and starts the next stage's
// clock then; we see the unit's change as it happens (a D-Bus watch). Its last probe of a stage
// therefore starts before its stage start + T, at the latest 1 s after our stage start + T: from
// then on its failure is certain, and ours need not wait longer. (It was 5 s: "API never ready"
// ended ~7 s after MicroShift's own check.) Not covered: the run time of its systemctl/oc calls,
// tens of ms on an idle device.
export const STAGE_GRACE_MS = 1000;

type Stage = {
  id: string;
  allowanceMs: number;
  /** Counted from the later of the previous stage and the end of MicroShift's images stage. */
  afterImages?: boolean;
  ready: (o: MicroShiftObservation) => boolean;
  pending: (o: MicroShiftObservation) => string;
};

// Registry answers that no amount of waiting changes (the image or access is wrong).
const permanentPull =
  /manifest unknown|manifest .*not found|not found: manifest|unauthorized|authentication required|denied|invalid reference|repository name must|no such image|signature/i;
const permanentReasons = new Set(['InvalidImageName', 'ErrImageNeverPull']);

export class MicroShiftAssessor {
  private readonly stages: Stage[];
  private readonly accepted: (number | undefined)[];
  private readonly unitRestarts: { at: number; n: number }[] = [];
  private readonly containerRestarts = new Map<string, { at: number; n: number }[]>();
  private readonly lastGrowth = new Map<string, number>();
  /** When every core container was first seen started (their images are on the node). */
  private imagesSeenAt: number | undefined;

  constructor(
    private readonly plan: MicroShiftCheckPlan,
    private readonly startedAt: number,
  ) {
    this.stages = buildStages(plan);
    this.accepted = this.stages.map(() => undefined);
  }

  /** The latest time the current stage may still complete (for the wait loop's sleep bound). */
  get deadline(): number {
    const index = this.accepted.findIndex((a) => a === undefined);
    if (index === -1) return this.startedAt;
    return this.stageDeadline(index);
  }

  /** Upper bound of the whole check: every stage using its full allowance, and MicroShift's images stage. */
  get outerDeadline(): number {
    return (
      this.startedAt +
      imagesStageMs(this.plan) +
      this.stages.reduce((sum, s) => sum + s.allowanceMs + STAGE_GRACE_MS, 0)
    );
  }

  private stageDeadline(index: number): number {
    const stage = this.stages[index] as Stage;
    let from = index === 0 ? this.startedAt : (this.accepted[index - 1] as number);
    if (stage.afterImages) from = Math.max(from, this.imagesEnd());
    return from + stage.allowanceMs + STAGE_GRACE_MS;
  }

  /**
   * The latest moment MicroShift's images stage can have ended: when every core container was
   * seen started, and at most T per namespace after any pod ran (where MicroShift gives up).
   */
  private imagesEnd(): number {
    const podsAccepted = this.accepted[this.stages.findIndex((s) => s.id === 'pods')] as number;
    return Math.min(this.imagesSeenAt ?? Infinity, podsAccepted + imagesStageMs(this.plan));
  }

  assess(
    o: MicroShiftObservation,
    now: number,
  ): { done: true; report: CheckReport } | { done: false; progress: string } {
    const terminal = this.terminalFailure(o, now);
    if (terminal) return { done: true, report: terminal };
    if (this.imagesSeenAt === undefined && coreContainersStarted(o, this.plan)) this.imagesSeenAt = now;
    for (let i = 0; i < this.stages.length; i++) {
      if (this.accepted[i] !== undefined) continue;
      const stage = this.stages[i] as Stage;
      if (stage.ready(o)) {
        this.accepted[i] = now;
        continue;
      }
      const previous = i === 0 ? this.startedAt : (this.accepted[i - 1] as number);
      const waited = Math.round((now - previous) / 1000);
      if (now >= this.stageDeadline(i)) {
        return {
          done: true,
          report: {
            outcome: 'timeout',
            reason: `${stage.id.split(':')[0]}-timeout`,
            message: `${stage.pending(o)} after ${waited}s`,
            observation: summarize(o),
          },
        };
      }
      const allowed = Math.round((this.stageDeadline(i) - STAGE_GRACE_MS - previous) / 1000);
      return { done: false, progress: `${stage.pending(o)} (${waited}s of ${allowed}s)` };
    }
    // Ready. MicroShift samples restart counts after readiness; we watch the core containers for
    // a settle period (and longer while one keeps restarting, up to the restart window) so a pod
    // that restarts again and again is caught before the boot is called good.
    const restarting = this.restartingContainer(o, now);
    if (restarting) return { done: true, report: restarting };
    const settling = now - (this.readyAt ?? now);
    const unsettled = this.unsettledContainer(o, now);
    if (settling < this.plan.restartSettleMs || (unsettled && settling < this.plan.restartWindowMs)) {
      return {
        done: false,
        progress: unsettled
          ? `all ready; waiting for ${unsettled} to stay up`
          : `all ready; watching core containers for restarts`,
      };
    }
    const note = unsettled ? ` (${unsettled} kept restarting, below the failure threshold)` : '';
    return {
      done: true,
      report: {
        outcome: 'pass',
        reason: 'ok',
        message: `MicroShift is ready: API healthy, ${this.plan.workloads.length} core workloads ready${note}`,
        observation: summarize(o),
      },
    };
  }

  /** When every stage was accepted (monotonic ms), or undefined while waiting. */
  get readyAt(): number | undefined {
    return this.accepted.at(-1);
  }

  private unsettledContainer(o: MicroShiftObservation, now: number): string | undefined {
    for (const pod of (o.pods ?? []).filter((p) => podBelongsTo(p, this.plan.workloads))) {
      for (const c of pod.containers) {
        const grew = this.lastGrowth.get(`${pod.namespace}/${pod.name}/${c.name}`);
        const recent =
          (c.lastRestartAgoMs !== undefined && c.lastRestartAgoMs < this.plan.restartSettleMs) ||
          (grew !== undefined && now - grew < this.plan.restartSettleMs);
        if (recent)
          return `container ${c.name} of pod ${pod.namespace}/${pod.name} (restarted ${c.restartCount} times)`;
      }
    }
    return undefined;
  }

  /**
   * A core container whose restart count grew by the threshold within the window, counted from
   * the moment everything was ready (the first call after readiness is the baseline). Before
   * that, while MicroShift starts, a core container may restart a few times (waiting for the API
   * or for OVN) and then stay up: MicroShift 4.15 samples restart counts only once every
   * namespace is ready, so counting earlier restarts would fail boots it passes. One that never
   * settles still fails its workload stage.
   */
  private restartingContainer(o: MicroShiftObservation, now: number): CheckReport | undefined {
    const core = (o.pods ?? []).filter((p) => podBelongsTo(p, this.plan.workloads));
    for (const pod of core) {
      for (const container of pod.containers) {
        const key = `${pod.namespace}/${pod.name}/${container.name}`;
        const samples = this.containerRestarts.get(key) ?? [];
        this.containerRestarts.set(key, samples);
        const before = samples.at(-1)?.n;
        const restarts = grow(samples, now, container.restartCount, this.plan.restartWindowMs);
        if (before !== undefined && container.restartCount > before) this.lastGrowth.set(key, now);
        if (restarts >= this.plan.containerRestarts) {
          return {
            outcome: 'fail',
            reason: 'container-restarting',
            message: `container ${container.name} of pod ${pod.namespace}/${pod.name} restarted ${restarts} times in ${Math.round(this.plan.restartWindowMs / 1000)}s${container.waitingReason ? ` (${container.waitingReason})` : ''}`,
            observation: summarize(o),
          };
        }
      }
    }
    return undefined;
  }

  private terminalFailure(o: MicroShiftObservation, now: number): CheckReport | undefined {
    const observation = summarize(o);
    if (o.prerunFailed) {
      const excerpt = o.prerunFailed.slice(-3).join(' | ');
      return {
        outcome: 'fail',
        reason: 'prerun-failed',
        message: `MicroShift pre-run failed during this boot (prerun_failed.log): ${excerpt}`,
        observation,
      };
    }
    if (o.unit.activeState === 'failed') {
      return {
        outcome: 'fail',
        reason: 'unit-failed',
        message: `microshift.service failed (${o.unit.subState}) after ${o.unit.nRestarts} restarts`,
        observation,
      };
    }
    const growth = grow(this.unitRestarts, now, o.unit.nRestarts, this.plan.restartWindowMs);
    if (growth >= this.plan.crashLoopRestarts) {
      return {
        outcome: 'fail',
        reason: 'crash-loop',
        message: `microshift.service is crash-looping: restarted ${growth} times in ${Math.round(this.plan.restartWindowMs / 1000)}s (NRestarts=${o.unit.nRestarts})`,
        observation,
      };
    }
    // Only the core workloads' pods count: an extra pod (a GPU plugin in kube-system) never does.
    const core = (o.pods ?? []).filter((p) => podBelongsTo(p, this.plan.workloads));
    const pull = permanentPullFailure(core, o.pullEvents ?? []);
    if (pull) return { outcome: 'fail', reason: 'image-pull-failed', message: pull, observation };
    return undefined;
  }
}

/** Record a counter sample and return how much it grew within the window. */
function grow(samples: { at: number; n: number }[], now: number, n: number, windowMs: number): number {
  samples.push({ at: now, n });
  while (samples.length > 1 && (samples[0] as { at: number }).at < now - windowMs) samples.shift();
  return n - (samples[0] as { n: number }).n;
}

function permanentPullFailure(pods: PodObservation[], events: PullEventObservation[]): string | undefined {
  for (const pod of pods) {
    for (const c of pod.containers) {
      const message = c.waitingMessage ?? '';
      const pulling = c.waitingReason === 'ErrImagePull' || c.waitingReason === 'ImagePullBackOff';
      if (permanentReasons.has(c.waitingReason ?? '') || (pulling && permanentPull.test(message))) {
        return `image ${c.image} cannot be pulled: ${reasonText(c)} (pod ${pod.namespace}/${pod.name}, container ${c.name})`;
      }
    }
  }
  for (const event of events) {
    if (pods.some((p) => p.namespace === event.namespace && p.name === event.pod) && permanentPull.test(event.message))
      return `image pull failed for pod ${event.namespace}/${event.pod}: ${event.message}`;
  }
  return undefined;
}

function reasonText(c: ContainerObservation): string {
  return c.waitingMessage ? `${c.waitingReason}: ${c.waitingMessage}` : (c.waitingReason ?? 'unknown');
}

function buildStages(plan: MicroShiftCheckPlan): Stage[] {
  const t = plan.budgetMs;
  const namespaces = [...new Set(plan.workloads.map((w) => w.namespace))];
  return [
    {
      id: 'unit',
      allowanceMs: t,
      ready: (o) => o.unit.activeState === 'active',
      pending: (o) => `microshift.service not active (${o.unit.activeState}/${o.unit.subState})`,
    },
    { id: 'api', allowanceMs: t, ready: (o) => Boolean(o.api?.readyz?.ok && o.api.livez?.ok), pending: apiPending },
    {
      id: 'pods',
      allowanceMs: t,
      ready: (o) => (o.pods ?? []).some((p) => p.phase === 'Running'),
      pending: () => 'no MicroShift pod running yet',
    },
    // MicroShift waits for each namespace's ready pods (T each) after all the images.
    ...namespaces.map((ns) => ({
      id: `workloads:${ns}`,
      allowanceMs: t,
      afterImages: true,
      ready: (o: MicroShiftObservation) => workloadsIn(o, ns, plan).every((w) => w.ready),
      pending: (o: MicroShiftObservation) =>
        `workloads in ${ns} not ready: ${describeNotReady(workloadsIn(o, ns, plan), o.pods ?? [])}`,
    })),
  ];
}

function workloadsIn(o: MicroShiftObservation, namespace: string, plan: MicroShiftCheckPlan): WorkloadObservation[] {
  return plan.workloads
    .filter((w) => w.namespace === namespace)
    .map(
      (ref) =>
        o.workloads?.find((w) => w.namespace === ref.namespace && w.kind === ref.kind && w.name === ref.name) ?? {
          ...ref,
          found: false,
          ready: false,
          detail: 'not found',
        },
    );
}

function describeNotReady(workloads: WorkloadObservation[], pods: PodObservation[]): string {
  return workloads
    .filter((w) => !w.ready)
    .map((w) => {
      const waiting = pods
        .filter((p) => p.namespace === w.namespace && p.name.startsWith(`${w.name}-`))
        .flatMap((p) => p.containers.filter((c) => c.waitingReason).map((c) => c.waitingReason));
      return `${w.kind.toLowerCase()}/${w.name} ${w.detail}${waiting.length ? ` [${[...new Set(waiting)].join(', ')}]` : ''}`;
    })
    .join(', ');
}

// MicroShift 4.15's core namespaces (LVMS adds one): its images stage lasts up to T for each.
const MICROSHIFT_CORE_NAMESPACES = 5;

function imagesStageMs(plan: MicroShiftCheckPlan): number {
  const namespaces = new Set(plan.workloads.map((w) => w.namespace)).size;
  return Math.max(namespaces, MICROSHIFT_CORE_NAMESPACES) * plan.budgetMs;
}

// Waiting reasons that leave open whether the image is on the node yet (the pull happens while a
// container is ContainerCreating); every other state comes after the image was there.
const beforeImage = new Set([
  'ContainerCreating',
  'PodInitializing',
  'ErrImagePull',
  'ImagePullBackOff',
  'ErrImageNeverPull',
  'InvalidImageName',
]);

/** Every core workload has pods and every container of them is past getting its image. */
function coreContainersStarted(o: MicroShiftObservation, plan: MicroShiftCheckPlan): boolean {
  const pods = (o.pods ?? []).filter((p) => podBelongsTo(p, plan.workloads));
  const covered = plan.workloads.every((w) => pods.some((p) => podBelongsTo(p, [w])));
  return (
    covered &&
    pods.every(
      (p) =>
        p.containers.length > 0 &&
        p.containers.every((c) => c.ready || c.restartCount > 0 || !beforeImage.has(c.waitingReason ?? '')),
    )
  );
}

function apiPending(o: MicroShiftObservation): string {
  if (!o.api) return 'MicroShift API not asked yet';
  if (o.api.error?.startsWith('slow:')) return `MicroShift API ${o.api.error}`;
  if (!o.api.reachable) return `MicroShift API unreachable (${o.api.error ?? 'no answer'})`;
  const failing = [...(o.api.readyz?.failing ?? []), ...(o.api.livez?.failing ?? [])];
  return `MicroShift API not ready${failing.length ? `: ${[...new Set(failing)].join(', ')} failing` : ''}`;
}

function summarize(o: MicroShiftObservation): Record<string, unknown> {
  return {
    unit: `${o.unit.activeState}/${o.unit.subState}`,
    nRestarts: o.unit.nRestarts,
    api: o.api
      ? o.api.readyz?.ok && o.api.livez?.ok
        ? 'ready'
        : o.api.reachable
          ? 'not-ready'
          : 'unreachable'
      : 'not-asked',
    // Numbers, not "8/8": the daemon hands them on to status and the hub as they are.
    workloads: o.workloads
      ? { ready: o.workloads.filter((w) => w.ready).length, total: o.workloads.length }
      : undefined,
  };
}
