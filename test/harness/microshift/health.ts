// /readyz, /livez and /healthz of the simulated kube-apiserver (Kubernetes 1.28, MicroShift 4.15).
//
// What it simulates: the healthz handler's text format: with `?verbose` one `[+]name ok` line
// per check and a final `<endpoint> check passed`; a failing check as
// `[-]name failed: reason withheld`, the whole list and `<endpoint> check failed` with HTTP 500
// whether or not `verbose` was asked; a plain `ok` when all pass and no `verbose`. What it leaves
// out: `?exclude=`, per-check paths (`/readyz/etcd`), the real reasons behind a failure.

// Checks present on both endpoints, in the order kube-apiserver lists them.
const common = [
  'ping',
  'log',
  'etcd',
  'poststarthook/start-apiserver-admission-initializer',
  'poststarthook/generic-apiserver-start-informers',
  'poststarthook/priority-and-fairness-config-consumer',
  'poststarthook/priority-and-fairness-filter',
  'poststarthook/storage-object-count-tracker-hook',
  'poststarthook/start-apiextensions-informers',
  'poststarthook/start-apiextensions-controllers',
  'poststarthook/crd-informer-synced',
  'poststarthook/start-system-namespaces-controller',
  'poststarthook/bootstrap-controller',
  'poststarthook/rbac/bootstrap-roles',
  'poststarthook/scheduling/bootstrap-system-priority-classes',
  'poststarthook/priority-and-fairness-config-producer',
  'poststarthook/start-cluster-authentication-info-controller',
  'poststarthook/start-kube-apiserver-identity-lease-controller',
  'poststarthook/start-legacy-token-tracking-controller',
  'poststarthook/aggregator-reload-proxy-client-cert',
  'poststarthook/start-kube-aggregator-informers',
  'poststarthook/apiservice-registration-controller',
  'poststarthook/apiservice-status-available-controller',
  'poststarthook/kube-apiserver-autoregistration',
  'autoregister-completion',
  'poststarthook/apiservice-openapi-controller',
  'poststarthook/apiservice-openapiv3-controller',
];

const checks: Record<HealthEndpoint, string[]> = {
  livez: common,
  healthz: common,
  // readyz adds the readiness-only checks: etcd readable, informers synced, not shutting down.
  readyz: [...common.slice(0, 3), 'etcd-readiness', 'informer-sync', ...common.slice(3), 'shutdown'],
};

export type HealthEndpoint = 'readyz' | 'livez' | 'healthz';

export interface HealthResponse {
  status: 200 | 500;
  body: string;
}

/** The response of one health endpoint given which checks fail right now. */
export function renderHealth(endpoint: HealthEndpoint, failing: readonly string[], verbose: boolean): HealthResponse {
  const lines = checks[endpoint].map((name) =>
    failing.includes(name) ? `[-]${name} failed: reason withheld` : `[+]${name} ok`,
  );
  const failed = checks[endpoint].some((name) => failing.includes(name));
  if (failed) return { status: 500, body: `${lines.join('\n')}\n${endpoint} check failed\n` };
  if (!verbose) return { status: 200, body: 'ok' };
  return { status: 200, body: `${lines.join('\n')}\n${endpoint} check passed\n` };
}
