// Certificate expiry: what the host adapter read from each PEM file, judged against the clock.
// Thresholds: a certificate that ends within 30 days is worth a warning; within 7 days (or one
// already expired, or not valid yet) the wanted check fails, because by then a renewal is urgent
// and a device that loses its hub or registry trust goes dark without a local cause.
export const CERT_WARN_DAYS = 30;
export const CERT_FAIL_DAYS = 7;
const DAY_MS = 86_400_000;

export type ReadinessLevel = 'ok' | 'warn' | 'fail';

/** Why a certificate is looked at. */
export type CertificateRole = 'hub-client' | 'hub-ca' | 'trust-anchor' | 'mirror-ca';

export type CertificateFacts = {
  file: string;
  role: CertificateRole;
  /** Position in the file (a bundle holds several), from 1. */
  index: number;
  subject: string;
  notBefore: number;
  notAfter: number;
};

/** A file that should hold certificates and could not be used: the file and what is wrong. */
export type CertificateFileProblem = {
  file: string;
  role: CertificateRole;
  problem: string;
};

export type CertificateAssessment = {
  file: string;
  role: CertificateRole;
  index?: number;
  subject?: string;
  notAfter?: string;
  daysLeft?: number;
  level: ReadinessLevel;
  message: string;
};

export function assessCertificate(cert: CertificateFacts, nowMs: number): CertificateAssessment {
  const daysLeft = Math.floor((cert.notAfter - nowMs) / DAY_MS);
  const where = `${cert.file}${cert.index > 1 ? ` #${cert.index}` : ''} (${cert.subject || 'no subject'})`;
  const base = {
    file: cert.file,
    role: cert.role,
    index: cert.index,
    subject: cert.subject,
    notAfter: new Date(cert.notAfter).toISOString(),
    daysLeft,
  };
  if (nowMs < cert.notBefore)
    return {
      ...base,
      level: 'fail',
      message: `${where} is not valid before ${new Date(cert.notBefore).toISOString()} (check the clock)`,
    };
  if (nowMs >= cert.notAfter) return { ...base, level: 'fail', message: `${where} expired on ${base.notAfter}` };
  const level: ReadinessLevel = daysLeft < CERT_FAIL_DAYS ? 'fail' : daysLeft < CERT_WARN_DAYS ? 'warn' : 'ok';
  return { ...base, level, message: `${where} expires in ${daysLeft} days (${base.notAfter})` };
}

export function assessCertificateProblem(p: CertificateFileProblem): CertificateAssessment {
  return { file: p.file, role: p.role, level: 'fail', message: `${p.file}: ${p.problem}` };
}

export type CertificateSummary = {
  level: ReadinessLevel;
  checked: number;
  /** Every certificate, worst first. */
  items: CertificateAssessment[];
};

const RANK: Record<ReadinessLevel, number> = { fail: 2, warn: 1, ok: 0 };

export function worstLevel(levels: ReadinessLevel[]): ReadinessLevel {
  return levels.reduce<ReadinessLevel>((worst, l) => (RANK[l] > RANK[worst] ? l : worst), 'ok');
}

export function summarizeCertificates(
  certs: CertificateFacts[],
  problems: CertificateFileProblem[],
  nowMs: number,
): CertificateSummary {
  const items = [...problems.map(assessCertificateProblem), ...certs.map((c) => assessCertificate(c, nowMs))].sort(
    (a, b) => RANK[b.level] - RANK[a.level] || (a.daysLeft ?? -Infinity) - (b.daysLeft ?? -Infinity),
  );
  return { level: worstLevel(items.map((i) => i.level)), checked: certs.length, items };
}
