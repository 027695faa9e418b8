// The readiness facts for `status`: the files the config names, under status's
// own time limit. The layering comes from the deployments status asks rpm-ostree for anyway,
// joined afterwards so the readiness probe never waits for rpm-ostree; only the staged
// deployment's compatibility and images wait for it, within their own shorter limit.
import { layeringOf } from '../../core/readiness/components.js';
import type { ReadinessFacts } from '../../core/readiness/facts.js';
import type { DeploymentFacts, Probe } from '../../core/status/facts.js';
import type { Host } from '../../host/host.js';
import { gatherReadiness } from '../../host/readiness.js';
import type { Config } from '../../config/schema.js';

export function gatherStatusReadiness(
  host: Host,
  cfg: Pick<Config, 'hub' | 'wanted'>,
  signal: AbortSignal,
  options: { deployments?: Promise<Probe<DeploymentFacts>>; limitMs?: number } = {},
): Promise<ReadinessFacts> {
  const limitMs = options.limitMs ?? 1000;
  const pendingDeployments = options.deployments?.then((d) =>
    d.state === 'ok' ? d.value.deployments : `rpm-ostree status: ${d.note ?? d.state}`,
  );
  return gatherReadiness(
    {
      fs: host.fs,
      exec: host.exec,
      signal,
      timeoutMs: limitMs,
      pendingDeployments,
      // Leaves room for the rest of the section: a slow crictl skips this part, not the whole.
      updateLimitMs: Math.max(50, limitMs - 100),
    },
    {
      hubCa: cfg.hub?.ca,
      hubCert: cfg.hub?.cert,
      pullSecret: cfg.wanted.pullSecret,
      registryMirrorConfig: cfg.wanted.registryMirrorConfig,
    },
  );
}

export function withLayering(
  readiness: Probe<ReadinessFacts>,
  deployments: Probe<DeploymentFacts>,
): Probe<ReadinessFacts> {
  if (readiness.state !== 'ok' || deployments.state !== 'ok') return readiness;
  return { state: 'ok', value: { ...readiness.value, layering: layeringOf(deployments.value.deployments) } };
}

/**
 * A readiness look kept for `everyMs`: certificates, package versions and firewall zones change
 * slowly, and the daemon's five-second status snapshot must not run rpm and firewall-cmd each
 * time. Only a complete answer is kept, so a look that timed out is tried again next time.
 */
export function keepReadiness(
  clock: { monotonic(): number },
  everyMs: number,
): (look: () => Promise<Probe<ReadinessFacts>>) => Promise<Probe<ReadinessFacts>> {
  let kept: { at: number; value: Probe<ReadinessFacts> } | undefined;
  return async (look) => {
    const now = clock.monotonic();
    if (kept && now - kept.at < everyMs) return kept.value;
    const value = await look();
    // A look whose compatibility and images part was skipped, or could not look for a staged
    // deployment (rpm-ostree did not answer in time), is kept no more than a timed-out one: a
    // busy moment must not stand in the snapshot for ten minutes.
    const update = value.state === 'ok' ? value.value.update : undefined;
    const incomplete = update?.state === 'skipped' || (update?.state === 'ok' && update.value.stagedUnknown);
    kept = value.state === 'ok' && !incomplete ? { at: now, value } : undefined;
    return value;
  };
}
