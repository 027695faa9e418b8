// One container's status and kubelet events at a moment of its scripted timeline.
//
// What it simulates: what the kubelet and CRI-O report for a container that is being created,
// pulls its image, fails the pull (ErrImagePull, then ImagePullBackOff), runs, is ready, restarts
// or crash-loops: the `containerStatuses[]` entry and the Events it leaves, aggregated the way
// the kubelet does (same reason and message: one Event with a growing count). What it leaves
// out: probes, resource usage, init containers, exact back-off timing (the scenario sets it).
import type { ContainerStep } from './scenario.js';
import { sha256 } from './workloads.js';

export interface EventSeed {
  reason: string;
  type: 'Normal' | 'Warning';
  message: string;
  firstMs: number;
  lastMs: number;
  count: number;
  container: string;
}

export interface ContainerView {
  status: Record<string, unknown>;
  ready: boolean;
  /** Has run at least once: the pod has left `Pending`. */
  everRan: boolean;
  events: EventSeed[];
}

export interface ContainerContext {
  /** `<pod>_<namespace>(<uid>)`, as the kubelet names a pod in messages. */
  podRef: string;
  /** Wall-clock timestamp for a timeline time. */
  ts: (ms: number) => string;
}

const waitingPull = new Set(['pulling', 'err-image-pull', 'image-pull-backoff']);
const defaultBackOffMs = 10_000;

/** The container at time `t`; `steps` must be sorted and the first one must have begun. */
export function renderContainer(
  c: { name: string; image: string },
  steps: ContainerStep[],
  t: number,
  ctx: ContainerContext,
): ContainerView {
  const active = steps.filter((s) => s.atMs <= t);
  const events = new Map<string, EventSeed>();
  const add = (
    reason: string,
    type: EventSeed['type'],
    message: string,
    firstMs: number,
    count = 1,
    lastMs = firstMs,
  ) => {
    if (count <= 0) return;
    const key = `${reason}\n${message}`;
    const seen = events.get(key);
    if (seen) {
      seen.count += count;
      seen.lastMs = Math.max(seen.lastMs, lastMs);
    } else events.set(key, { reason, type, message, firstMs, lastMs, count, container: c.name });
  };
  let restarts = 0;
  let running = false;
  let pulled = false;
  let lastStart = 0;
  let lastExit: { startedMs: number; finishedMs: number } | undefined;
  active.forEach((step, i) => {
    const end = active[i + 1]?.atMs ?? t;
    const every = step.restartEveryMs ?? defaultBackOffMs;
    // Restarts happen to containers that ran; a crash loop is entered having just crashed once.
    // (In the pull states `restartEveryMs` only paces the repeated back-off events.)
    const runs = step.state === 'running' || step.state === 'ready';
    const n =
      step.state === 'crash-loop'
        ? 1 + Math.floor((end - step.atMs) / every)
        : runs && step.restartEveryMs
          ? Math.floor((end - step.atMs) / every)
          : 0;
    const lastAt = step.atMs + Math.max(0, n - (step.state === 'crash-loop' ? 1 : 0)) * every;
    if (waitingPull.has(step.state)) pulled = true;
    if (step.state === 'pulling' || step.state === 'err-image-pull')
      add('Pulling', 'Normal', `Pulling image "${c.image}"`, step.atMs);
    if (step.state === 'err-image-pull') {
      add('Failed', 'Warning', `Failed to pull image "${c.image}": ${step.message ?? pullError(c.image)}`, step.atMs);
      add('Failed', 'Warning', 'Error: ErrImagePull', step.atMs);
    }
    if (step.state === 'image-pull-backoff') {
      const count = 1 + Math.floor((end - step.atMs) / every);
      const last = step.atMs + (count - 1) * every;
      add('BackOff', 'Normal', `Back-off pulling image "${c.image}"`, step.atMs, count, last);
      add('Failed', 'Warning', 'Error: ImagePullBackOff', step.atMs, count, last);
    }
    if ((runs && !running) || (step.state === 'crash-loop' && !running)) {
      add(
        'Pulled',
        'Normal',
        pulled
          ? `Successfully pulled image "${c.image}" in 1.843s (1.843s including waiting)`
          : `Container image "${c.image}" already present on machine`,
        step.atMs,
      );
      add('Created', 'Normal', `Created container ${c.name}`, step.atMs);
      add('Started', 'Normal', `Started container ${c.name}`, step.atMs);
      lastStart = step.atMs;
    }
    if (n > 0) {
      // Each restart starts the container again from the image already on the node.
      const again = step.state === 'crash-loop' ? n - 1 : n;
      add('Pulled', 'Normal', `Container image "${c.image}" already present on machine`, step.atMs, again, lastAt);
      add('Created', 'Normal', `Created container ${c.name}`, step.atMs, again, lastAt);
      add('Started', 'Normal', `Started container ${c.name}`, step.atMs, again, lastAt);
      if (step.state === 'crash-loop')
        add(
          'BackOff',
          'Warning',
          `Back-off restarting failed container ${c.name} in pod ${ctx.podRef}`,
          step.atMs,
          n,
          lastAt,
        );
      lastExit = { startedMs: n > 1 ? lastAt - every : lastStart, finishedMs: lastAt };
      lastStart = lastAt;
      restarts += n;
    }
    running = running || runs || step.state === 'crash-loop';
  });
  const current = active[active.length - 1];
  const state = current ? stateOf(current, c, lastStart, ctx) : { waiting: { reason: 'ContainerCreating' } };
  const ready = current?.state === 'ready';
  const isRunning = current?.state === 'running' || ready;
  const status: Record<string, unknown> = {
    name: c.name,
    state,
    lastState: lastExit
      ? {
          terminated: {
            exitCode: 1,
            reason: 'Error',
            startedAt: ctx.ts(lastExit.startedMs),
            finishedAt: ctx.ts(lastExit.finishedMs),
          },
        }
      : {},
    ready,
    restartCount: restarts,
    image: c.image,
    imageID: running ? imageId(c.image) : '',
    started: isRunning,
  };
  if (running) status.containerID = `cri-o://${sha256(`${ctx.podRef}/${c.name}/${restarts}`)}`;
  return { status, ready, everRan: running, events: [...events.values()] };
}

function stateOf(
  step: ContainerStep,
  c: { name: string; image: string },
  lastStart: number,
  ctx: ContainerContext,
): Record<string, unknown> {
  switch (step.state) {
    case 'creating':
    case 'pulling':
      return { waiting: { reason: 'ContainerCreating' } };
    case 'err-image-pull':
      return { waiting: { reason: 'ErrImagePull', message: step.message ?? pullError(c.image) } };
    case 'image-pull-backoff':
      return {
        waiting: { reason: 'ImagePullBackOff', message: step.message ?? `Back-off pulling image "${c.image}"` },
      };
    case 'crash-loop':
      return {
        waiting: {
          reason: 'CrashLoopBackOff',
          message: step.message ?? `back-off 40s restarting failed container=${c.name} pod=${ctx.podRef}`,
        },
      };
    case 'running':
    case 'ready':
      return { running: { startedAt: ctx.ts(lastStart) } };
  }
}

/** CRI-O's message when the registry does not have the digest. */
export function pullError(image: string): string {
  const [repo, digest] = image.split('@');
  return `rpc error: code = Unknown desc = reading manifest ${digest ?? 'latest'} in ${repo}: manifest unknown`;
}

function imageId(image: string): string {
  if (image.includes('@')) return image;
  const repo = image.replace(/:[^/:]+$/, '');
  return `${repo}@sha256:${sha256(`image/${image}`)}`;
}
