// The MicroShift Kubernetes API, through @kubernetes/client-node and MicroShift's kubeconfig.
// One client, cheap polls: per probe a handful of cluster-wide list calls (not one per object),
// every call bounded by a timeout and the caller's signal so a hung API never hangs a check.
// Loaded lazily: commands that do not need Kubernetes never import this module.
import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  type V1DaemonSet,
  type V1Deployment,
  type V1Pod,
  type V1StatefulSet,
} from '@kubernetes/client-node';
import { Agent, request, type RequestOptions } from 'node:https';
import { clipValue, HostError, NotRegularFileError } from '../errors.js';
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

export async function createMicroShiftApi(options: MicroShiftApiOptions): Promise<MicroShiftApi> {
  const { fs, kubeconfig } = options;
  const timeoutMs = options.timeoutMs ?? 3000;
  const answerTimeoutMs = Math.max(timeoutMs, options.answerTimeoutMs ?? timeoutMs);
  const text = await fs.readText(kubeconfig).catch((error: NodeJS.ErrnoException) => {
    const why =
      error instanceof NotRegularFileError
        ? `it is ${error.kind}, expected a regular file`
        : (error.code ?? error.message);
    throw new HostError('kubeconfig-unreadable', `cannot read MicroShift kubeconfig ${kubeconfig}: ${why}`, {
      cause: error,
      retryable: true,
    });
  });
  // MicroShift writes the kubeconfig on its first start: missing early in a boot is not final.
  if (text === undefined)
    throw new HostError('kubeconfig-missing', `MicroShift kubeconfig ${kubeconfig} does not exist (yet)`, {
      retryable: true,
    });
  const kc = new KubeConfig();
  try {
    kc.loadFromString(text);
  } catch (error) {
    throw new HostError(
      'kubeconfig-invalid',
      `MicroShift kubeconfig ${kubeconfig} is not a valid kubeconfig: ${describeKubeconfigError(error)}`,
      { cause: error },
    );
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster)
    throw new HostError('kubeconfig-invalid', `MicroShift kubeconfig ${kubeconfig} names no current cluster`);
  const tls: RequestOptions = {};
  await kc.applyToHTTPSOptions(tls);
  // One keep-alive connection pool for every call: a TLS handshake per poll would cost more CPU
  // than the poll itself.
  const agent = new Agent({
    keepAlive: true,
    maxSockets: 4,
    ca: tls.ca,
    cert: tls.cert,
    key: tls.key,
    servername: tls.servername,
  });
  const https: RequestOptions = { agent };
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);

  const call = async <T>(what: string, run: (opts: object) => Promise<T>, signal?: AbortSignal): Promise<T> => {
    // The client does not say when its connection was accepted: its calls get the answer's time.
    const bounded = AbortSignal.any([AbortSignal.timeout(answerTimeoutMs), ...(signal ? [signal] : [])]);
    // The object-parameter API runs middleware as its (stubbed) Observables: anything with
    // toPromise(). This one bounds each call and reuses the keep-alive agent.
    type Ctx = { setSignal(s: AbortSignal): void; setAgent(a: Agent): void };
    const pre = (ctx: Ctx) => ({
      toPromise: async () => {
        ctx.setSignal(bounded);
        ctx.setAgent(agent);
        return ctx;
      },
    });
    const middleware = [{ pre, post: <R>(response: R) => ({ toPromise: async () => response }) }];
    try {
      return await run({ middleware, middlewareMergeStrategy: 'append' });
    } catch (error) {
      // A code ending in -timeout: callers tell a slow API from a failing one by the error, not its text.
      throw new HostError(
        bounded.aborted ? 'kube-api-timeout' : 'kube-api',
        `${what}: ${describeKubeError(error, bounded)}`,
        {
          cause: error,
          retryable: true,
        },
      );
    }
  };

  return {
    async health(signal) {
      const [readyz, livez] = await Promise.all([
        getHealth(cluster.server, '/readyz?verbose', https, { timeoutMs, answerTimeoutMs }, signal),
        getHealth(cluster.server, '/livez?verbose', https, { timeoutMs, answerTimeoutMs }, signal),
      ]);
      const unreachable = [readyz, livez].find((r) => 'error' in r);
      if (unreachable && 'error' in unreachable)
        return { reachable: false, error: unreachable.error, timedOut: unreachable.timedOut };
      return { reachable: true, readyz: readyz as HealthEndpoint, livez: livez as HealthEndpoint };
    },
    async workloads(refs, signal) {
      const kinds = new Set(refs.map((r) => r.kind));
      const [deployments, daemonsets, statefulsets] = await Promise.all([
        kinds.has('Deployment')
          ? call('list deployments', (o) => apps.listDeploymentForAllNamespaces({}, o), signal).then((l) => l.items)
          : [],
        kinds.has('DaemonSet')
          ? call('list daemonsets', (o) => apps.listDaemonSetForAllNamespaces({}, o), signal).then((l) => l.items)
          : [],
        kinds.has('StatefulSet')
          ? call('list statefulsets', (o) => apps.listStatefulSetForAllNamespaces({}, o), signal).then((l) => l.items)
          : [],
      ]);
      return refs.map((ref) => {
        const list: (V1Deployment | V1DaemonSet | V1StatefulSet)[] =
          ref.kind === 'Deployment' ? deployments : ref.kind === 'DaemonSet' ? daemonsets : statefulsets;
        const object = list.find((o) => o.metadata?.namespace === ref.namespace && o.metadata?.name === ref.name);
        return object ? observeWorkload(ref, object) : { ...ref, found: false, ready: false, detail: 'not found' };
      });
    },
    async pods(namespaces, signal) {
      const list = await call('list pods', (o) => core.listPodForAllNamespaces({}, o), signal);
      return list.items
        .filter((p) => namespaces.length === 0 || namespaces.includes(p.metadata?.namespace ?? ''))
        .map((p) => observePod(p, Date.now()));
    },
    async pullEvents(namespaces, signal) {
      const events: PullEventObservation[] = [];
      for (const namespace of namespaces) {
        const list = await call(
          `list events in ${namespace}`,
          (o) => core.listNamespacedEvent({ namespace, fieldSelector: 'reason=Failed' }, o),
          signal,
        );
        for (const e of list.items) {
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

function observeWorkload(ref: WorkloadRef, object: V1Deployment | V1DaemonSet | V1StatefulSet): WorkloadObservation {
  const generation = object.metadata?.generation;
  if (ref.kind === 'DaemonSet') {
    const s = (object as V1DaemonSet).status;
    const ready = isDaemonSetReady({ generation }, { ...s });
    return {
      ...ref,
      found: true,
      ready,
      detail: `${s?.numberAvailable ?? 0}/${s?.desiredNumberScheduled ?? 0} available`,
    };
  }
  const spec = (object as V1Deployment | V1StatefulSet).spec;
  const s = (object as V1Deployment | V1StatefulSet).status ?? {};
  const replicas = spec?.replicas ?? 1;
  const ready =
    ref.kind === 'Deployment'
      ? isDeploymentReady({ generation, replicas }, s)
      : isStatefulSetReady({ generation, replicas }, s);
  return { ...ref, found: true, ready, detail: `${s.availableReplicas ?? 0}/${replicas} available` };
}

function observePod(pod: V1Pod, nowMs: number): PodObservation {
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

type HealthResult = HealthEndpoint | { error: string; timedOut?: boolean };

/** GET /readyz?verbose or /livez?verbose: 200 = ok; otherwise the `[-]name failed` lines. */
function getHealth(
  server: string,
  path: string,
  base: RequestOptions,
  limits: { timeoutMs: number; answerTimeoutMs: number },
  signal?: AbortSignal,
): Promise<HealthResult> {
  const { timeoutMs, answerTimeoutMs } = limits;
  return new Promise((resolve) => {
    const url = new URL(path, server);
    let connected = false;
    const req = request(url, { ...base, method: 'GET', timeout: timeoutMs, signal }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body = body.length < 65_536 ? body + chunk : body));
      res.on('end', () => {
        const failing = [...body.matchAll(/^\[-\]([^\s]+) failed/gm)].map((m) => m[1] as string);
        if (res.statusCode === 200) resolve({ ok: true, failing: [] });
        else resolve({ ok: false, failing: failing.length ? failing : [`HTTP ${res.statusCode}`] });
      });
      res.on('error', (error) => resolve({ error: error.message }));
    });
    // Accepted (a new connection, or one kept alive): the API is there, maybe slow; its answer
    // gets its own time from here.
    let late = false;
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

// The kubeconfig holds a client key and maybe a token. The YAML parser's message quotes the
// lines around a syntax error, so only its position and its one-line reason are kept.
function describeKubeconfigError(error: unknown): string {
  const e = error as { reason?: unknown; mark?: { line?: unknown; column?: unknown } };
  if (typeof e.mark?.line === 'number' && typeof e.mark.column === 'number') {
    const reason = typeof e.reason === 'string' ? e.reason.split('\n')[0] : 'syntax error';
    return `YAML error at line ${e.mark.line + 1}, column ${e.mark.column + 1}: ${reason}`;
  }
  // Other messages name a missing or wrong key; the first line never holds a value's text.
  return clipValue(String((error as Error).message ?? error).split('\n')[0] ?? '');
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

function describeKubeError(error: unknown, signal: AbortSignal): string {
  if (signal.aborted) return 'no answer in time';
  const e = error as { code?: number | string; body?: string; message?: string };
  if (typeof e.code === 'number') return `HTTP ${e.code}`;
  return String(e.code ?? e.message ?? error);
}
