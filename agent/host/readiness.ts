// Gathers the production-readiness facts: certificate dates (hub client certificate and CA, the
// system trust anchors, the mirror registries' CAs), FIPS mode, the pull secret, installed
// component versions, rpm-ostree layering and firewalld's zones. Cheap and local: file reads, one
// rpm query and one firewall-cmd call, in parallel; besides them, compatibility and offline
// readiness (release manifests and one crictl run) under a time limit of their own, so a slow
// CRI-O costs only that part. Nothing here decides (core/readiness/ does).
import type { Config } from '../config/schema.js';
import type { Deployment } from '../core/deployment.js';
import { raceDeadline } from '../core/deadline.js';
import { layeringOf } from '../core/readiness/components.js';
import type { ReadinessFacts, UpdateFacts } from '../core/readiness/facts.js';
import { systemClock } from './clock.js';
import { mergeReads, readCertificateDir, readCertificateFile } from './certificates.js';
import type { Exec } from './exec.js';
import { readFipsInput } from './fips.js';
import { readFirewallZones } from './firewall.js';
import type { HostFs } from './fs.js';
import { mirrorHosts } from '../core/readiness/mirrors.js';
import { readPullSecret } from './pull-secret.js';
import { queryComponents } from './rpm.js';

export const TRUST_ANCHORS = '/etc/pki/ca-trust/source/anchors';
export const REGISTRY_CERTS = '/etc/containers/certs.d';

/** As in the config schema's defaults (wanted.pullSecret, wanted.registryMirrorConfig). */
export const READINESS_DEFAULTS = {
  pullSecret: '/etc/crio/openshift-pull-secret',
  registryMirrorConfig: '/etc/containers/registries.conf.d',
};

export interface ReadinessSources {
  hubCa?: string;
  hubCert?: string;
  pullSecret: string;
  /** Directory of registries.conf drop-ins where mirrors are configured. */
  registryMirrorConfig: string;
}

export interface ReadinessDeps {
  fs: HostFs;
  exec: Exec;
  signal?: AbortSignal;
  /** Per subprocess. */
  timeoutMs?: number;
  /** The deployments rpm-ostree reported, when the caller has them (for layering). */
  deployments?: readonly Deployment[];
  /**
   * For the staged deployment's compatibility and images: rpm-ostree's answer as it arrives, or
   * why there is none. Defaults to `deployments`.
   */
  pendingDeployments?: Promise<readonly Deployment[] | string>;
  /** Time limit of the compatibility and offline part; past it, that part says it was skipped. */
  updateLimitMs?: number;
}

/** The files the readiness facts read, as the configuration names them. */
export function readinessSources(config: Config): ReadinessSources {
  return {
    hubCa: config.hub?.ca,
    hubCert: config.hub?.cert,
    pullSecret: config.wanted.pullSecret,
    registryMirrorConfig: config.wanted.registryMirrorConfig,
  };
}

/** Mirror registry hosts from the registries.conf drop-ins (unreadable files give none). */
export async function configuredMirrors(fs: HostFs, dir: string): Promise<string[]> {
  const files = (await fs.list(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.conf'));
  const texts = await Promise.all(files.map((f) => fs.readText(`${dir}/${f}`).catch(() => undefined)));
  return [...new Set(texts.flatMap((t) => mirrorHosts(t ?? '')))];
}

export async function gatherReadiness(deps: ReadinessDeps, sources: ReadinessSources): Promise<ReadinessFacts> {
  const { fs } = deps;
  const request = { signal: deps.signal, timeoutMs: deps.timeoutMs };
  const mirrors = await configuredMirrors(fs, sources.registryMirrorConfig);
  const [hubCert, hubCa, anchors, mirrorCas, fips, pullSecret, components, firewall] = await Promise.all([
    sources.hubCert ? readCertificateFile(fs, sources.hubCert, 'hub-client') : undefined,
    sources.hubCa ? readCertificateFile(fs, sources.hubCa, 'hub-ca') : undefined,
    readCertificateDir(fs, TRUST_ANCHORS, 'trust-anchor'),
    // containers-certs.d: *.crt files are CAs (*.cert and *.key are client pairs).
    Promise.all(mirrors.map((m) => readCertificateDir(fs, `${REGISTRY_CERTS}/${m}`, 'mirror-ca', ['.crt']))),
    readFipsInput(fs),
    readPullSecret(fs, sources.pullSecret, mirrors),
    queryComponents(deps.exec, request),
    readFirewallZones(deps.exec, request),
  ]);
  const update = await withUpdateLimit(readUpdate(deps, mirrors.length > 0), deps.updateLimitMs);
  const reads = [hubCert, hubCa, anchors, ...mirrorCas].filter((r) => r !== undefined);
  return {
    certificates: mergeReads(reads),
    fips,
    pullSecret: { file: sources.pullSecret, ...pullSecret },
    components,
    layering: deps.deployments ? layeringOf(deps.deployments) : undefined,
    firewall,
    update,
  };
}

async function readUpdate(deps: ReadinessDeps, airGapped: boolean): Promise<UpdateFacts> {
  const list = await (deps.pendingDeployments ?? deps.deployments ?? 'rpm-ostree was not asked');
  const stagedUnknown =
    typeof list === 'string' ? `a staged deployment was not looked for: ${list.replace(/\.$/, '')}` : undefined;
  const staged = typeof list === 'string' ? undefined : list.find((d) => d.staged);
  try {
    // Loaded when asked: the manifest and crictl parsers bring zod's full API, which status's
    // first output must not wait for; it loads here in parallel with the other readiness reads.
    const { probeUpdateReadiness } = await import('./readiness-probe.js');
    const value = await probeUpdateReadiness(deps, staged, deps.signal, deps.timeoutMs);
    return { state: 'ok', value: { ...value, airGapped, ...(stagedUnknown && { stagedUnknown }) } };
  } catch (error) {
    deps.signal?.throwIfAborted();
    return { state: 'error', note: `compatibility and images: ${(error as Error).message}` };
  }
}

function withUpdateLimit(work: Promise<UpdateFacts>, limitMs: number | undefined): Promise<UpdateFacts> {
  if (limitMs === undefined) return work;
  return raceDeadline(work, {
    clock: systemClock,
    ms: limitMs,
    onTimeout: (): UpdateFacts => ({
      state: 'skipped',
      note: `the release manifests and CRI-O's images were not read within ${(limitMs / 1000).toFixed(1)} s`,
    }),
  });
}
