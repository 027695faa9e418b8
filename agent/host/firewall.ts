// firewalld's zones, for the MicroShift port facts.
import { parseFirewallZones, type FirewallZone } from '../core/readiness/firewall.js';
import type { Sourced } from '../core/readiness/facts.js';
import type { Exec } from './exec.js';

export async function readFirewallZones(
  exec: Exec,
  request: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<Sourced<FirewallZone[]>> {
  const result = await exec
    .run('firewall-cmd', ['--list-all-zones'], { timeoutMs: 5000, ...request })
    .catch((error: Error) => error);
  if (result instanceof Error) return { state: 'unavailable', note: 'firewalld is not installed (no firewall-cmd)' };
  if (result.timedOut) return { state: 'error', note: 'firewall-cmd did not answer in time' };
  // firewall-cmd exits 252 (NOT_RUNNING) when firewalld is stopped: a fact, not an error.
  if (result.exitCode === 252) return { state: 'unavailable', note: 'firewalld is not running' };
  if (result.exitCode !== 0)
    return {
      state: 'error',
      note: `firewall-cmd --list-all-zones failed (exit ${result.exitCode}): ${result.stderr.trim().split('\n')[0] ?? ''}`,
    };
  return { state: 'ok', value: parseFirewallZones(result.stdout) };
}
