// The MicroShift Kubernetes API over plain HTTPS with MicroShift's kubeconfig (host/kubeconfig.ts).
// One keep-alive connection, cheap polls: per probe a handful of cluster-wide list calls (not one
// per object), every call bounded by a timeout and the caller's signal so a hung API never hangs a
// check. No Kubernetes client library: the few GETs here are plain JSON, and the library we used
// cost ~0.4 s and ~90 MB to import (in the check's child process and in `status`).
// Loaded lazily: commands that do not need Kubernetes never import this module.
import { Agent, request, type RequestOptions } from 'node:https';
import { clipValue, HostError } from '../errors.js';
import { isDaemonSetReady, isDeploymentReady, isStatefulSetReady } from '../core/microshift-observation.js';
import type {
  ApiObservation,
  HealthEndpoint,
  PodObservation,
  PullEventObservation,
  WorkloadObservation,
  WorkloadRef,
} from '../core/microshift-observation.js';
import type { HostFs } from './fs.js';
import { readKubeconfig } from './kubeconfig.js';
import type { KubeDaemonSet, KubeEvent, KubeList, KubePod, KubeScalable } from './kube-objects.js';

export interface MicroShiftApi {
  health(signal?: AbortSignal): Promise<ApiObservation>;
  workloads(refs: readonly WorkloadRef[], signal?: AbortSignal): Promise<WorkloadObservation[]>;
  pods(namespaces: readonly string[], signal?: AbortSignal): Promise<PodObservation[]>;
  pullEvents(namespaces: readonly string[], signal?: AbortSignal): Promise<PullEventObservation[]>;
  close(): void;
}

export interface MicroShiftApiOptions {
  fs: HostFs;
  kubeconfig: string;
  /** Per call: until the API accepts the connection, and (unless answerTimeoutMs) for its answer. */
  timeoutMs?: number;
  /**
   * Per call, once the API accepted the connection. A busy machine slows the answer of a healthy
   * API: `status` waits longer for that than for an API that does not even accept a connection.
   */
  answerTimeoutMs?: number;
}

/** A list of every pod in a small cluster is a few hundred KB; far more is not an API answer. */
const MAX_ANSWER_BYTES = 32 * 1024 * 1024;

export async function createMicroShiftApi(options: MicroShiftApiOptions): Promise<MicroShiftApi> {
  const timeoutMs = options.timeoutMs ?? 3000;
  const answerTimeoutMs = Math.max(timeoutMs, options.answerTimeoutMs ?? timeoutMs);
  const target = await readKubeconfig(options.fs, options.kubeconfig);
  // One keep-alive connection pool for every call: a TLS handshake per poll would cost more CPU
  // than the poll itself.
  const agent = new Agent({
    keepAlive: true,
    maxSockets: 4,
    ca: target.ca,
    cert: target.cert,
    key: target.key,
    servername: target.servername,
    rejectUnauthorized: target.rejectUnauthorized,
  });
  const headers: Record<string, string> = {
    accept: 'application/json',
    ...(target.token !== undefined && { authorization: `Bearer ${target.token}` }),
  };
  const get = (path: string, signal?: AbortSignal) =>
    getText(`${target.server}${path}`, { agent, headers }, { timeoutMs, answerTimeoutMs }, signal);

  /** GET a list as JSON; a failure is a HostError whose code ends in -timeout when it was late. */
  const list = async <T>(what: string, path: string, signal?: AbortSignal): Promise<T[]> => {
    const answer = await get(path, signal);
    if ('error' in answer)
      throw new HostError(answer.timedOut ? 'kube-api-timeout' : 'kube-api', `${what}: ${answer.error}`, {
        retryable: true,
      });
    if (answer.status !== 200)
      throw new HostError('kube-api', `${what}: HTTP ${answer.status}${statusMessage(answer.body)}`, {
        retryable: true,
      });
    try {
      const parsed = JSON.parse(answer.body) as KubeList<T>;
      if (!Array.isArray(parsed.items)) throw new Error('no items');
      return parsed.items;
    } catch {
      throw new HostError('kube-api', `${what}: the answer is not a Kubernetes list`, { retryable: true });
    }
  };

  return {
    async health(signal) {
      const [readyz, livez] = await Promise.all([
        get('/readyz?verbose', signal).then(healthOf),
        get('/livez?verbose', signal).then(healthOf),
      ]);
      const unreachable = [readyz, livez].find((r) => 'error' in r);
      if (unreachable && 'error' in unreachable)
        return { reachable: false, error: unreachable.error, timedOut: unreachable.timedOut };
      return { reachable: true, readyz: readyz as HealthEndpoint, livez: livez as HealthEndpoint };
    },
    async workloads(refs, signal) {
      const kinds = new Set(refs.map((r) => r.kind));
      const [deployments, daemonsets, statefulsets] = await Promise.all([
        kinds.has('Deployment') ? list<KubeScalable>('list deployments', '/apis/apps/v1/deployments', signal) : [],
        kinds.has('DaemonSet') ? list<KubeDaemonSet>('list daemonsets', '/apis/apps/v1/daemonsets', signal) : [],
        kinds.has('StatefulSet') ? list<KubeScalable>('list statefulsets', '/apis/apps/v1/statefulsets', signal) : [],
      ]);
      return refs.map((ref) => {
        const objects: (KubeScalable | KubeDaemonSet)[] =
          ref.kind === 'Deployment' ? deployments : ref.kind === 'DaemonSet' ? daemonsets : statefulsets;
        const object = objects.find((o) => o.metadata?.namespace === ref.namespace && o.metadata?.name === ref.name);
        return object ? observeWorkload(ref, object) : { ...ref, found: false, ready: false, detail: 'not found' };
      });
    },
    async pods(namespaces, signal) {
      const items = await list<KubePod>('list pods', '/api/v1/pods', signal);
      return items
        .filter((p) => namespaces.length === 0 || namespaces.includes(p.metadata?.namespace ?? ''))
        .map((p) => observePod(p, Date.now()));
    },
    async pullEvents(namespaces, signal) {
      const events: PullEventObservation[] = [];
      for (const namespace of namespaces) {
        const items = await list<KubeEvent>(
          `list events in ${namespace}`,
          `/api/v1/namespaces/${encodeURIComponent(namespace)}/events?fieldSelector=${encodeURIComponent('reason=Failed')}`,
          signal,
        );
        for (const e of items) {
          if (e.reason === 'Failed' && /pull/i.test(e.message ?? ''))
            events.push({ namespace, pod: e.involvedObject?.name ?? '?', message: e.message ?? '' });
        }
      }
      return events;
    },
    close() {
      agent.destroy();
    },
  };
}

/** A Kubernetes Status answer's message, clipped (it is the API's text, shown to an operator). */
function statusMessage(body: string): string {
  try {
    const message = (JSON.parse(body) as { message?: unknown }).message;
    return typeof message === 'string' && message !== '' ? `: ${clipValue(message.split('\n')[0] ?? '')}` : '';
  } catch {
    return '';
  }
}

function observeWorkload(ref: WorkloadRef, object: KubeScalable | KubeDaemonSet): WorkloadObservation {
  const generation = object.metadata?.generation;
  if (ref.kind === 'DaemonSet') {
    const s = (object as KubeDaemonSet).status;
    const ready = isDaemonSetReady({ generation }, { ...s });
    return {
      ...ref,
      found: true,
      ready,
      detail: `${s?.numberAvailable ?? 0}/${s?.desiredNumberScheduled ?? 0} available`,
    };
  }
  const spec = (object as KubeScalable).spec;
  const s = (object as KubeScalable).status ?? {};
  const replicas = spec?.replicas ?? 1;
  const ready =
    ref.kind === 'Deployment'
      ? isDeploymentReady({ generation, replicas }, s)
      : isStatefulSetReady({ generation, replicas }, s);
  return { ...ref, found: true, ready, detail: `${s.availableReplicas ?? 0}/${replicas} available` };
}

function observePod(pod: KubePod, nowMs: number): PodObservation {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  return {
    namespace: pod.metadata?.namespace ?? '',
    name: pod.metadata?.name ?? '',
    phase: pod.status?.phase ?? 'Unknown',
    owner: pod.metadata?.ownerReferences?.[0]
      ? { kind: pod.metadata.ownerReferences[0].kind, name: pod.metadata.ownerReferences[0].name }
      : undefined,
    containers: statuses.map((c) => ({
      name: c.name,
      image: c.image,
      ready: c.ready,
      restartCount: c.restartCount,
      waitingReason: c.state?.waiting?.reason,
      waitingMessage: c.state?.waiting?.message,
      lastRestartAgoMs: c.lastState?.terminated?.finishedAt
        ? Math.max(0, nowMs - new Date(c.lastState.terminated.finishedAt).getTime())
        : undefined,
    })),
  };
}

type Answer = { status: number; body: string } | { error: string; timedOut?: boolean };
type HealthResult = HealthEndpoint | { error: string; timedOut?: boolean };

/** /readyz?verbose or /livez?verbose: 200 = ok; otherwise the `[-]name failed` lines. */
function healthOf(answer: Answer): HealthResult {
  if ('error' in answer) return answer;
  if (answer.status === 200) return { ok: true, failing: [] };
  const failing = [...answer.body.slice(0, 65_536).matchAll(/^\[-\]([^\s]+) failed/gm)].map((m) => m[1] as string);
  return { ok: false, failing: failing.length ? failing : [`HTTP ${answer.status}`] };
}

/**
 * One GET. Two limits: `timeoutMs` until the API accepts the connection, then `answerTimeoutMs`
 * for its answer (a slow answer from a busy but healthy API is not the same as no API). Never
 * throws: a failure is `{error}`, with `timedOut` when it was a limit or the caller's signal.
 */
function getText(
  href: string,
  base: RequestOptions,
  limits: { timeoutMs: number; answerTimeoutMs: number },
  signal?: AbortSignal,
): Promise<Answer> {
  const { timeoutMs, answerTimeoutMs } = limits;
  return new Promise((resolve) => {
    const url = new URL(href);
    let connected = false;
    let late = false;
    const req = request(url, { ...base, method: 'GET', timeout: timeoutMs, signal }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) req.destroy(new Error(`answer larger than ${MAX_ANSWER_BYTES} bytes`));
        else chunks.push(chunk);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    // Accepted (a new connection, or one kept alive): the API is there, maybe slow; its answer
    // gets its own time from here.
    req.on('socket', (socket) => {
      const accepted = () => {
        connected = true;
        req.setTimeout(answerTimeoutMs);
      };
      if (socket.connecting) socket.once('connect', accepted);
      else accepted();
    });
    req.on('timeout', () => {
      late = true;
      req.destroy(
        new Error(
          connected
            ? `slow: connected, but no answer within ${answerTimeoutMs}ms`
            : `no answer: no connection within ${timeoutMs}ms`,
        ),
      );
    });
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve({
        error: describeConnectError(error, url.origin),
        ...((late || error.code === 'ABORT_ERR') && { timedOut: true }),
      }),
    );
    req.end();
  });
}

const unknownAuthority = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
]);

/** Why the API could not be asked, in words an operator acts on, with the address tried. */
function describeConnectError(error: NodeJS.ErrnoException, origin: string): string {
  const code = error.code ?? '';
  if (code === 'ABORT_ERR') return 'aborted';
  if (code === 'ECONNREFUSED') return `connection refused at ${origin}`;
  if (unknownAuthority.has(code))
    return `certificate of ${origin} signed by an unknown authority (not the CA in the kubeconfig: ${code})`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `certificate of ${origin} is not for that host name (${code})`;
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return `certificate of ${origin}: ${code}`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `host name of ${origin} does not resolve (${code})`;
  if (code) return `${code} at ${origin}`;
  return error.message;
}
