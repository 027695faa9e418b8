// The readiness findings that belong in status's problems list, each with what to do. They are
// warnings at most: readiness says how the next update or renewal will go, never whether this
// boot is healthy, so none of them touches the verdict or a required check.
import type { CertificateAssessment, CertificateRole } from './certificates.js';
import type { ReadinessStatus } from './status-section.js';

export type ReadinessProblem = {
  severity: 'warning' | 'info';
  code: string;
  message: string;
  action: string;
};

const RENEW: Record<CertificateRole, string> = {
  'hub-client': "issue the device a new hub client certificate (hub.cert in edge-agent's config) before it ends",
  'hub-ca': "replace the hub CA file (hub.ca in edge-agent's config) with the hub's current CA",
  'trust-anchor': 'replace the CA in /etc/pki/ca-trust/source/anchors/, then run update-ca-trust',
  'mirror-ca': "replace the mirror registry's CA in /etc/containers/certs.d/<mirror>/ with its current one",
};

function certificateProblem(c: CertificateAssessment): ReadinessProblem {
  // An unreadable file has no end date: the message already says what is wrong with it.
  const unreadable = c.daysLeft === undefined && c.notAfter === undefined;
  return {
    severity: 'warning',
    code: unreadable ? 'certificate-unreadable' : 'certificate-expiring',
    message: unreadable ? `Certificate file ${c.message}` : `Certificate ${c.message}`,
    action: unreadable ? `fix or replace ${c.file} (PEM certificates expected)` : RENEW[c.role],
  };
}

export function readinessProblems(r: ReadinessStatus | undefined): ReadinessProblem[] {
  if (!r || r.state !== 'ok') return [];
  const problems: ReadinessProblem[] = [];
  for (const c of r.certificates?.items ?? []) if (c.level !== 'ok') problems.push(certificateProblem(c));
  const ps = r.pullSecret;
  if (ps?.present && ps.level !== 'ok')
    problems.push({
      severity: 'warning',
      code: ps.valid === false ? 'pull-secret-invalid' : 'pull-secret-mirror',
      message: `Pull secret ${ps.message.startsWith(ps.file) ? ps.message : `${ps.file}: ${ps.message}`}`,
      action:
        ps.valid === false
          ? `rewrite ${ps.file} as {"auths": {"<registry>": {"auth": "..."}}} (CRI-O reads it at the next pull)`
          : `add the mirror registry's credentials to "auths" in ${ps.file}`,
    });
  if (r.fips?.level === 'warn')
    problems.push({
      severity: 'warning',
      code: 'fips-unsupported',
      message: r.fips.message,
      action: 'build the image without fips=1 on the kernel command line, or run MicroShift on an RPM-installed RHEL',
    });
  const u = r.update;
  if (u?.state !== 'ok') return problems;
  const c = u.compatibility;
  if (c?.level === 'warn' && c.unreadableOnly)
    problems.push({
      severity: 'warning',
      code: 'compatibility-unknown',
      message: `Compatibility unknown: ${c.reasons.join('; ')}`,
      action:
        'the microshift-release-info package provides the release manifests: rpm -V microshift-release-info, or rebuild the image with it',
    });
  else if (c?.level === 'warn') {
    const staged = c.staged !== undefined;
    problems.push({
      severity: 'warning',
      code: 'unsupported-version',
      message: `Compatibility: ${c.reasons.join('; ')}`,
      action: staged
        ? 'do not reboot into the staged deployment as it is: rpm-ostree cleanup -p, then stage a supported release'
        : 'move to a supported RHEL/MicroShift pair with the next update (edge-agent preflight checks it)',
    });
  }
  const o = u.offline;
  if (o?.level === 'warn' && o.missingCount !== undefined)
    problems.push({
      severity: 'warning',
      code: 'images-missing',
      message: `Air-gapped device: ${o.message}`,
      action: `copy the missing images to the mirror registry or into CRI-O's store before ${o.tree === 'staged' ? 'rebooting into the staged deployment' : 'MicroShift restarts'}`,
    });
  else if (o?.level === 'warn')
    problems.push({
      severity: 'warning',
      code: 'images-unknown',
      message: `Offline readiness unknown: ${o.message}`,
      action: /CRI-O/.test(o.message)
        ? 'systemctl status crio; crictl images'
        : 'rpm -V microshift-release-info (it provides the release manifests), or rebuild the image with it',
    });
  return problems;
}
