// Wanted checks built on the readiness facts: certificate expiry, and the pods of the optional
// MicroShift parts (OLM, GitOps) when their packages are installed. Wanted only: a certificate that
// is about to expire is urgent, but rolling back the OS would not renew it.
import type { CheckReport } from '../../core/check-result.js';
import type { RunnableCheck } from '../../core/check-runner.js';
import { CERT_FAIL_DAYS, CERT_WARN_DAYS, summarizeCertificates } from '../../core/readiness/certificates.js';
import { OPTIONAL_PARTS, unhealthyPods, type PartPods } from '../../core/readiness/components.js';
import type { Config } from '../../config/schema.js';
import { mergeReads, readCertificateDir, readCertificateFile } from '../../host/certificates.js';
import { configuredMirrors, REGISTRY_CERTS, TRUST_ANCHORS } from '../../host/readiness.js';
import { queryComponents } from '../../host/rpm.js';
import type { CheckDeps } from './check-deps.js';

export const READINESS_WANTED = ['certificates', 'optional-components'];

export function createReadinessChecks(config: Config, deps: CheckDeps): RunnableCheck[] {
  const check = (id: string, run: (signal: AbortSignal) => Promise<CheckReport>): RunnableCheck => ({
    id,
    class: 'wanted',
    run: (context) => run(context.signal),
  });
  return [
    check('certificates', async () => {
      const mirrors = await configuredMirrors(deps.fs, config.wanted.registryMirrorConfig);
      const read = mergeReads(
        await Promise.all([
          ...(config.hub?.cert ? [readCertificateFile(deps.fs, config.hub.cert, 'hub-client')] : []),
          ...(config.hub?.ca ? [readCertificateFile(deps.fs, config.hub.ca, 'hub-ca')] : []),
          readCertificateDir(deps.fs, TRUST_ANCHORS, 'trust-anchor'),
          ...mirrors.map((m) => readCertificateDir(deps.fs, `${REGISTRY_CERTS}/${m}`, 'mirror-ca', ['.crt'])),
        ]),
      );
      const summary = summarizeCertificates(read.certs, read.problems, deps.clock.now());
      if (summary.items.length === 0)
        return { outcome: 'skipped', reason: 'no-certificates', message: 'no certificates to check' };
      const bad = summary.items.filter((i) => i.level !== 'ok');
      const observation = {
        checked: summary.checked,
        soonest: summary.items.find((i) => i.daysLeft !== undefined)?.notAfter,
      };
      if (summary.level === 'fail')
        return {
          outcome: 'fail',
          reason:
            read.problems.length && bad.every((i) => i.daysLeft === undefined)
              ? 'certificate-unreadable'
              : 'certificate-expiring',
          message: bad.map((i) => i.message).join('; '),
          observation,
        };
      // Within 30 days: reported, but the check passes (it fails only under 7 days).
      if (summary.level === 'warn')
        return {
          outcome: 'pass',
          reason: 'certificate-expiring-soon',
          message: `renew within ${CERT_WARN_DAYS} days: ${bad.map((i) => i.message).join('; ')}`,
          observation,
        };
      return {
        outcome: 'pass',
        reason: 'ok',
        message: `${summary.checked} certificates valid for at least ${CERT_WARN_DAYS} days (fails under ${CERT_FAIL_DAYS})`,
        observation,
      };
    }),
    check('optional-components', async (signal) => {
      const components = await queryComponents(deps.exec, { signal });
      if (components.state !== 'ok') return { outcome: 'skipped', reason: 'rpm-unavailable', message: components.note };
      const installed = OPTIONAL_PARTS.filter((p) => typeof components.value[p.pkg] === 'string');
      if (installed.length === 0)
        return {
          outcome: 'skipped',
          reason: 'not-installed',
          message: 'neither microshift-olm nor microshift-gitops is installed',
        };
      const api = await deps.microshift().catch((error: Error) => error);
      if (api instanceof Error)
        return { outcome: 'fail', reason: 'api-unavailable', message: `MicroShift API: ${api.message}` };
      const pods = await api
        .pods(
          installed.map((p) => p.namespace),
          signal,
        )
        .catch((error: Error) => error);
      if (pods instanceof Error)
        return { outcome: 'fail', reason: 'api-unavailable', message: `MicroShift API: ${pods.message}` };
      const parts: PartPods[] = installed.map((p) => ({
        id: p.id,
        namespace: p.namespace,
        pods: pods
          .filter((pod) => pod.namespace === p.namespace)
          .map((pod) => ({ name: pod.name, phase: pod.phase, ready: pod.containers.every((c) => c.ready) })),
      }));
      const lines = parts.map((part) => {
        const bad = unhealthyPods(part);
        const version = components.value[OPTIONAL_PARTS.find((p) => p.id === part.id)!.pkg];
        if (part.pods.length === 0) return { bad: true, text: `${part.id} ${version}: no pods in ${part.namespace}` };
        return {
          bad: bad.length > 0,
          text: `${part.id} ${version}: ${part.pods.length - bad.length}/${part.pods.length} pods ready in ${part.namespace}${
            bad.length ? ` (not ready: ${bad.map((p) => `${p.name} ${p.phase}`).join(', ')})` : ''
          }`,
        };
      });
      const observation = Object.fromEntries(
        parts.map((p) => [p.id, `${p.pods.length - unhealthyPods(p).length}/${p.pods.length}`]),
      );
      return lines.some((l) => l.bad)
        ? { outcome: 'fail', reason: 'pods-not-ready', message: lines.map((l) => l.text).join('; '), observation }
        : { outcome: 'pass', reason: 'ok', message: lines.map((l) => l.text).join('; '), observation };
    }),
  ];
}
