// The simulated MicroShift kube-apiserver: HTTPS with client certificates, read-only resources.
//
// What it simulates: what a health check sees of MicroShift's API on 6443: TLS whose server
// certificate is signed by the cluster CA, client-certificate authentication (any certificate
// signed by that CA is `system:admin`), /readyz, /livez, /version, discovery, list/get/watch of
// the resources in routes.ts (as JSON, or as the Table that kubectl and oc `get` ask for),
// pod logs, all following the scenario's timeline. The world is recomputed every `tickMs` and
// diffed into the store, so watchers get ADDED/MODIFIED/DELETED as time passes. A watch answers
// its headers at once, as the apiserver does: a client waits for them before it reads
// anything, so `kubectl rollout status` could not finish on a quiet cluster otherwise. What it
// leaves out: writes, authorization (every authenticated user sees everything),
// anonymous access to health paths (a real apiserver may allow it), protobuf, HTTP/2, paging.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { renderHealth } from './health.js';
import { renderPodLog } from './pod-logs.js';
import { apiVersionOf, fieldSelection, labelMatcher, notFound, resources, routeOf, statusError } from './routes.js';
import type { Scenario } from './scenario.js';
import { matches, ObjectStore } from './store.js';
import { includeObjectOf, renderTable, tableRequested, type TableVersion } from './table.js';
import { renderWorld, type KubeObject, type Resource, type WorldContext } from './world.js';

export interface ApiServerOptions {
  scenario: Scenario;
  /** PEM: the cluster CA (trusted for client certificates), the server certificate and key. */
  tls: { ca: string; cert: string; key: string };
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** Wall-clock ms the timeline counts from (default: now). */
  startedAt?: number;
  nodeName?: string;
  nodeIP?: string;
  tickMs?: number;
  log?: (line: string) => void;
}

export interface ApiServer {
  port: number;
  /** Follow another scenario from now on, keeping the timeline's start. */
  setScenario(scenario: Scenario): void;
  close(): Promise<void>;
}

const version = {
  major: '1',
  minor: '28',
  gitVersion: 'v1.28.6',
  gitCommit: '4ad6cd7ad2a6ea4c27c4aaa1f3d19e7edab4ac66',
  gitTreeState: 'clean',
  buildDate: '2024-02-13T11:25:32Z',
  goVersion: 'go1.20.12 X:strictfipsruntime',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  let scenario = options.scenario;
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => undefined);
  const ctx: WorldContext = {
    startedAt: options.startedAt ?? Date.now(),
    nodeName: options.nodeName ?? 'microshift-sim',
    nodeIP: options.nodeIP ?? '192.168.122.10',
  };
  const store = new ObjectStore();
  const elapsed = () => Date.now() - ctx.startedAt;
  const failingChecks = () =>
    scenario.api.readyAfterMs !== null && elapsed() >= scenario.api.readyAfterMs ? [] : scenario.api.failingChecks;
  let lastSummary = '';
  const tick = () => {
    store.replaceAll(renderWorld(scenario, elapsed(), ctx));
    const failing = failingChecks();
    const workloads = [...store.list('deployments'), ...store.list('daemonsets')];
    const ready = workloads.filter((w) => isReady(w)).length;
    const summary = `readyz ${failing.length ? `failing (${failing.join(', ')})` : 'passing'}; workloads ready ${ready}/${workloads.length}`;
    if (summary !== lastSummary) log(`phase: ${summary}`);
    lastSummary = summary;
  };
  tick();
  const timer = setInterval(tick, options.tickMs ?? 100);
  const streams = new Set<ServerResponse>();

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
      res.end(JSON.stringify(body));
    };
    if (!(req.socket as TLSSocket).authorized) return json(401, statusError(401, 'Unauthorized', 'Unauthorized'));
    if (req.method !== 'GET')
      return json(
        405,
        statusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource'),
      );
    const route = routeOf(url.pathname, `${ctx.nodeIP}:6443`);
    if (!route) return json(404, statusError(404, 'NotFound', 'the server could not find the requested resource'));
    if (route.kind === 'version') return json(200, version);
    if (route.kind === 'document') return json(200, route.body);
    if (route.kind === 'health') {
      const health = renderHealth(route.endpoint, failingChecks(), url.searchParams.has('verbose'));
      res.writeHead(health.status, {
        'Content-Type': 'text/plain; charset=utf-8',
        'X-Content-Type-Options': 'nosniff',
      });
      return res.end(health.body);
    }
    if (route.kind === 'log') {
      const pod = store.get('pods', route.namespace, route.name);
      if (!pod) return json(404, notFound('pods', route.name));
      const answer = renderPodLog(pod, url.searchParams);
      if (typeof answer.body !== 'string') return json(answer.status, answer.body);
      res.writeHead(answer.status, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private' });
      return res.end(answer.body);
    }
    const { resource, namespace } = route;
    const table = tableRequested(req.headers.accept);
    const asTable = (objects: KubeObject[], version: TableVersion) =>
      renderTable(resource, objects, {
        version,
        includeObject: includeObjectOf(url.searchParams.get('includeObject')),
        resourceVersion: store.resourceVersion,
        now: Date.now(),
      });
    const selected = fieldSelection(url.searchParams.get('fieldSelector'));
    const name = route.name ?? selected.name;
    const ns = namespace ?? selected.namespace;
    const labelsMatch = labelMatcher(url.searchParams.get('labelSelector'));
    if (!labelsMatch)
      return json(
        400,
        statusError(
          400,
          'BadRequest',
          `unable to parse requirement: labelSelector ${JSON.stringify(url.searchParams.get('labelSelector'))}`,
        ),
      );
    const listed = () =>
      store
        .list(resource, ns, name)
        .filter((o) => labelsMatch(o.metadata.labels as Record<string, unknown> | undefined));
    const watch = url.searchParams.get('watch');
    if (watch === 'true' || watch === '1')
      return serveWatch(res, resource, ns, name, url.searchParams, table, labelsMatch);
    if (route.name !== undefined) {
      // A namespace is named by the path's last segment, so its lookup has no namespace.
      const object = store.get(resource, resources[resource].namespaced ? namespace : undefined, route.name);
      if (!object) return json(404, notFound(resource, route.name));
      return json(200, table ? asTable([object], table) : object);
    }
    if (table) return json(200, asTable(listed(), table));
    const items = listed().map(({ apiVersion: _a, kind: _k, ...item }) => item);
    json(200, {
      kind: `${resources[resource].kind}List`,
      apiVersion: apiVersionOf(resource),
      metadata: { resourceVersion: store.resourceVersion },
      items,
    });
  };

  const serveWatch = (
    res: ServerResponse,
    resource: Resource,
    ns: string | undefined,
    name: string | undefined,
    params: URLSearchParams,
    table: TableVersion | undefined,
    labelsMatch: (labels: Record<string, unknown> | undefined) => boolean,
  ) => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
    res.flushHeaders();
    let first = true;
    const includeObject = includeObjectOf(params.get('includeObject'));
    const asTable = (object: KubeObject, version: TableVersion) => {
      const body = renderTable(resource, [object], {
        version,
        includeObject,
        resourceVersion: String(object.metadata.resourceVersion ?? store.resourceVersion),
        now: Date.now(),
        withColumns: first,
      });
      first = false;
      return body;
    };
    const send = (type: string, object: KubeObject | Record<string, unknown>) => {
      const body = table && type !== 'ERROR' ? asTable(object as KubeObject, table) : object;
      res.write(`${JSON.stringify({ type, object: body })}\n`);
    };
    const wanted = (r: Resource, o: KubeObject) =>
      matches(r, o, resource, ns, name) && labelsMatch(o.metadata.labels as Record<string, unknown> | undefined);
    const from = params.get('resourceVersion');
    // Unset or "0": start with the current state as synthetic ADDED events.
    if (!from || from === '0') {
      for (const object of store.list(resource, ns, name)) if (wanted(resource, object)) send('ADDED', object);
    } else {
      const changes = /^\d+$/.test(from) ? store.changesSince(Number(from)) : undefined;
      if (!changes) {
        send('ERROR', statusError(410, 'Expired', `too old resource version: ${from} (${store.resourceVersion})`));
        return res.end();
      }
      for (const change of changes) if (wanted(change.resource, change.object)) send(change.type, change.object);
    }
    const unsubscribe = store.subscribe((change) => {
      if (wanted(change.resource, change.object)) send(change.type, change.object);
    });
    const timeout = Number(params.get('timeoutSeconds') ?? 0);
    const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    streams.add(res);
    res.on('close', () => {
      unsubscribe();
      clearTimeout(timer);
      streams.delete(res);
    });
  };

  // The client CA verifies certificates; unverified clients still connect and get a 401.
  const server: Server = createServer({ ...options.tls, requestCert: true, rejectUnauthorized: false }, handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  log(`phase: API listening on https://${host}:${port}`);
  return {
    port,
    setScenario(next) {
      scenario = next;
      tick();
    },
    async close() {
      clearInterval(timer);
      for (const res of streams) res.end();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** The readiness rules of host-contracts §4, for the phase log line. */
function isReady(object: KubeObject): boolean {
  const s = (object.status ?? {}) as Record<string, number | undefined>;
  const n = (key: string) => s[key] ?? 0;
  if (object.kind === 'DaemonSet')
    return (
      n('updatedNumberScheduled') >= n('desiredNumberScheduled') && n('numberAvailable') >= n('desiredNumberScheduled')
    );
  return (
    n('observedGeneration') >= Number(object.metadata.generation ?? 0) &&
    n('updatedReplicas') >= n('replicas') &&
    n('availableReplicas') >= n('updatedReplicas')
  );
}
