// Versions of the installed components, from the rpm database in one query.
import {
  COMPONENT_PACKAGES,
  parseRpmQuery,
  RPM_QUERY_FORMAT,
  type ComponentVersions,
} from '../core/readiness/components.js';
import type { Sourced } from '../core/readiness/facts.js';
import type { Exec } from './exec.js';

export async function queryComponents(
  exec: Exec,
  request: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<Sourced<ComponentVersions>> {
  const result = await exec
    .run('rpm', ['-q', '--qf', RPM_QUERY_FORMAT, ...COMPONENT_PACKAGES], { timeoutMs: 5000, ...request })
    .catch((error: Error) => error);
  if (result instanceof Error) return { state: 'unavailable', note: `rpm cannot be run (${result.message})` };
  if (result.timedOut) return { state: 'error', note: 'rpm -q did not answer in time' };
  // rpm -q exits with the number of packages not installed (each printed on stdout): data, not a
  // failure. Only a query that printed nothing usable failed.
  const versions = parseRpmQuery(result.stdout);
  if (Object.keys(versions).length === 0)
    return {
      state: 'error',
      note: `rpm -q failed (exit ${result.exitCode}): ${result.stderr.trim().split('\n')[0] ?? ''}`,
    };
  return { state: 'ok', value: versions };
}
