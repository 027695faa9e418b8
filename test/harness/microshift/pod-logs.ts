// The `pods/{name}/log` subresource of the simulated API server.
//
// What it simulates: what `kubectl logs` gets from the kubelet through the apiserver: plain
// text of the container's current instance (or, with `previous=true`, of the one before; a
// crash-looping container that is waiting answers with its last instance, as CRI-O still has
// it); the 400 answers a real server gives when a container must be named, does not exist, has
// never started ("is waiting to start: ContainerCreating") or has no previous instance;
// `timestamps=true` and `tailLines`. What it leaves out: the real program output (the lines say
// what the simulated container did, no more), `follow`, `sinceSeconds`, `limitBytes`.
import { statusError } from './routes.js';
import type { KubeObject } from './world.js';

export interface LogAnswer {
  status: number;
  /** text/plain for 200, a Status object otherwise. */
  body: string | Record<string, unknown>;
}

type Dict = Record<string, unknown>;
const dict = (value: unknown): Dict => (value && typeof value === 'object' ? (value as Dict) : {});

export function renderPodLog(pod: KubeObject, params: URLSearchParams): LogAnswer {
  const name = pod.metadata.name;
  const statuses = (dict(pod.status).containerStatuses as Dict[] | undefined) ?? [];
  const names = ((dict(pod.spec).containers as Dict[] | undefined) ?? []).map((c) => String(c.name));
  const bad = (message: string): LogAnswer => ({ status: 400, body: statusError(400, 'BadRequest', message) });
  const wanted = params.get('container') ?? (names.length === 1 ? names[0] : undefined);
  if (wanted === undefined)
    return bad(`a container name must be specified for pod ${name}, choose one of: [${names.join(' ')}]`);
  if (!names.includes(wanted)) return bad(`container ${wanted} is not valid for pod ${name}`);
  const c = dict(statuses.find((s) => s.name === wanted));
  const state = dict(c.state);
  const restarts = typeof c.restartCount === 'number' ? c.restartCount : 0;
  const waiting = dict(state.waiting);
  const last = dict(dict(c.lastState).terminated);
  const previous = params.get('previous') === 'true';
  if (previous && !last.finishedAt) return bad(`previous terminated container "${wanted}" in pod "${name}" not found`);
  // A container that never started has no log; a crash-looping one still has its last run's.
  const crashed = waiting.reason === 'CrashLoopBackOff' && last.finishedAt;
  if (!previous && !state.running && !crashed) {
    const why =
      waiting.reason === 'ContainerCreating' || !waiting.reason
        ? 'ContainerCreating'
        : 'trying and failing to pull image';
    return bad(`container "${wanted}" in pod "${name}" is waiting to start: ${why}`);
  }
  // Instances count from 1; the one before the current is number `restartCount`.
  const ended = Boolean(previous || crashed);
  const instance = ended ? restarts : restarts + 1;
  const started = String((ended ? last.startedAt : dict(state.running).startedAt) ?? '');
  const lines: [string, string][] = [
    [started, `simulated ${wanted} (instance ${instance}) started from ${String(c.image ?? '')}`],
  ];
  if (ended)
    lines.push([String(last.finishedAt), `simulated ${wanted} exiting with code ${String(last.exitCode ?? 1)}`]);
  const tail = Number(params.get('tailLines') ?? NaN);
  const shown = Number.isInteger(tail) && tail >= 0 ? lines.slice(Math.max(0, lines.length - tail)) : lines;
  const stamps = params.get('timestamps') === 'true';
  return {
    status: 200,
    body: shown.map(([at, line]) => (stamps ? `${at.replace('Z', '.000000000Z')} ${line}\n` : `${line}\n`)).join(''),
  };
}
