// Gathers the production-readiness facts: certificate dates (hub client certificate and CA, the
// system trust anchors, the mirror registries' CAs), FIPS mode, the pull secret, installed
// component versions, rpm-ostree layering and firewalld's zones. Cheap and local: file reads, one
// rpm query and one firewall-cmd call, in parallel. Nothing here decides (core/readiness/ does).
import type { Config } from '../config/schema.js';
import type { Deployment } from '../core/deployment.js';
import { layeringOf } from '../core/readiness/components.js';
import type { ReadinessFacts } from '../core/readiness/facts.js';
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
  const reads = [hubCert, hubCa, anchors, ...mirrorCas].filter((r) => r !== undefined);
  return {
    certificates: mergeReads(reads),
    fips,
    pullSecret: { file: sources.pullSecret, ...pullSecret },
    components,
    layering: deps.deployments ? layeringOf(deps.deployments) : undefined,
    firewall,
  };
}
