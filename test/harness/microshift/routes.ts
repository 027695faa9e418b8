// URL paths of the simulated kube-apiserver, its discovery documents and its Status errors.
//
// What it simulates: the read side of the core/v1 and apps/v1 REST paths that health checks and
// kubectl use (namespaces, nodes, pods, events; deployments, daemonsets, replicasets,
// statefulsets), cluster-wide and per namespace, a pod's `/log` subresource, and the discovery
// documents client libraries ask for. What it leaves out: every other group and resource (they
// 404 like an API server without that resource), the `/api/v1/watch/...` legacy watch paths,
// other subresources (`/status`, `/exec`, `/scale`).
import type { Resource } from './world.js';

interface ResourceInfo {
  group: '' | 'apps';
  kind: string;
  namespaced: boolean;
  shortNames: string[];
}

export const resources: Record<Resource, ResourceInfo> = {
  namespaces: { group: '', kind: 'Namespace', namespaced: false, shortNames: ['ns'] },
  nodes: { group: '', kind: 'Node', namespaced: false, shortNames: ['no'] },
  pods: { group: '', kind: 'Pod', namespaced: true, shortNames: ['po'] },
  events: { group: '', kind: 'Event', namespaced: true, shortNames: ['ev'] },
  deployments: { group: 'apps', kind: 'Deployment', namespaced: true, shortNames: ['deploy'] },
  daemonsets: { group: 'apps', kind: 'DaemonSet', namespaced: true, shortNames: ['ds'] },
  replicasets: { group: 'apps', kind: 'ReplicaSet', namespaced: true, shortNames: ['rs'] },
  statefulsets: { group: 'apps', kind: 'StatefulSet', namespaced: true, shortNames: ['sts'] },
};

export type Route =
  | { kind: 'health'; endpoint: 'readyz' | 'livez' | 'healthz' }
  | { kind: 'version' }
  | { kind: 'document'; body: unknown }
  | { kind: 'resource'; resource: Resource; namespace?: string; name?: string }
  | { kind: 'log'; namespace: string; name: string };

/** What a GET path asks for; `undefined` for paths this server does not have. */
export function routeOf(pathname: string, serverAddress: string): Route | undefined {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/readyz' || path === '/livez' || path === '/healthz')
    return { kind: 'health', endpoint: path.slice(1) as 'readyz' };
  if (path === '/version') return { kind: 'version' };
  if (path === '/api')
    return {
      kind: 'document',
      body: {
        kind: 'APIVersions',
        versions: ['v1'],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
      },
    };
  if (path === '/apis') return { kind: 'document', body: groupList() };
  if (path === '/api/v1') return { kind: 'document', body: resourceList('') };
  if (path === '/apis/apps/v1') return { kind: 'document', body: resourceList('apps') };
  const parts = path.split('/').slice(1).map(decodeURIComponent);
  let rest: string[];
  let group: '' | 'apps';
  if (parts[0] === 'api' && parts[1] === 'v1') [group, rest] = ['', parts.slice(2)];
  else if (parts[0] === 'apis' && parts[1] === 'apps' && parts[2] === 'v1') [group, rest] = ['apps', parts.slice(3)];
  else return undefined;
  const known = (name: string | undefined): name is Resource =>
    name !== undefined && name in resources && resources[name as Resource].group === group;
  // /namespaces/{ns}/pods/{name}/log
  if (group === '' && rest[0] === 'namespaces' && rest.length === 5 && rest[2] === 'pods' && rest[4] === 'log')
    return { kind: 'log', namespace: rest[1] as string, name: rest[3] as string };
  // /namespaces/{ns}/{resource}[/{name}]
  if (rest[0] === 'namespaces' && rest.length >= 3 && rest.length <= 4) {
    const [, namespace, resource, name] = rest;
    if (!known(resource) || !resources[resource].namespaced) return undefined;
    return { kind: 'resource', resource, namespace, name };
  }
  // /{resource}[/{name}] (a name only for cluster-scoped resources)
  const [resource, name, ...more] = rest;
  if (!known(resource) || more.length > 0 || (name !== undefined && resources[resource].namespaced)) return undefined;
  return { kind: 'resource', resource, name };
}

function groupList(): unknown {
  const version = { groupVersion: 'apps/v1', version: 'v1' };
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [{ name: 'apps', versions: [version], preferredVersion: version }],
  };
}

function resourceList(group: '' | 'apps'): unknown {
  const list = Object.entries(resources)
    .filter(([, info]) => info.group === group)
    .map(([name, info]) => ({
      name,
      singularName: info.kind.toLowerCase(),
      namespaced: info.namespaced,
      kind: info.kind,
      verbs: ['get', 'list', 'watch'],
      shortNames: info.shortNames,
    }));
  if (group === '')
    list.push({ name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'], shortNames: [] });
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/v1` : 'v1', resources: list };
}

export function apiVersionOf(resource: Resource): string {
  return resources[resource].group ? `${resources[resource].group}/v1` : 'v1';
}

/** A `metav1.Status` failure as the API server writes it. */
export function statusError(
  code: number,
  reason: string,
  message: string,
  details: Record<string, unknown> = {},
): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details, code };
}

export function notFound(resource: Resource, name: string): Record<string, unknown> {
  const group = resources[resource].group;
  const qualified = group ? `${resource}.${group}` : resource;
  return statusError(404, 'NotFound', `${qualified} "${name}" not found`, {
    name,
    ...(group ? { group } : {}),
    kind: resource,
  });
}

/** `metadata.name=x` / `metadata.namespace=y` from a fieldSelector; other terms are ignored. */
export function fieldSelection(selector: string | null): { name?: string; namespace?: string } {
  const out: { name?: string; namespace?: string } = {};
  for (const term of (selector ?? '').split(',')) {
    const match = /^metadata\.(name|namespace)==?(.*)$/.exec(term.trim());
    if (match?.[1] === 'name') out.name = match[2];
    if (match?.[1] === 'namespace') out.namespace = match[2];
  }
  return out;
}

/**
 * A labelSelector's test: `k=v`, `k==v`, `k!=v`, `k`, `!k` and `k in (a,b)` / `k notin (a,b)`,
 * all terms ANDed; `undefined` when the selector cannot be parsed (the server answers 400).
 */
export function labelMatcher(
  selector: string | null,
): ((labels: Record<string, unknown> | undefined) => boolean) | undefined {
  const terms: ((labels: Record<string, unknown>) => boolean)[] = [];
  // Commas inside `in (...)` sets do not separate terms.
  for (const raw of (selector ?? '').match(/[^,(]+(\([^)]*\))?/g) ?? []) {
    const term = raw.trim();
    if (term === '') continue;
    const set = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
    const compare = /^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/.exec(term);
    const exists = /^(!?)([\w./-]+)$/.exec(term);
    if (set) {
      const [, key, op, values] = set as unknown as [string, string, string, string];
      const allowed = values.split(',').map((v) => v.trim());
      terms.push((labels) => allowed.includes(String(labels[key] ?? '\0')) === (op === 'in'));
    } else if (compare) {
      const [, key, op, value] = compare as unknown as [string, string, string, string];
      terms.push((labels) => (labels[key] === value) === (op !== '!='));
    } else if (exists) {
      const [, not, key] = exists as unknown as [string, string, string];
      terms.push((labels) => key in labels === (not === ''));
    } else return undefined;
  }
  return (labels) => terms.every((test) => test(labels ?? {}));
}
