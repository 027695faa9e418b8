// Reads certificates from PEM files for the expiry facts. node:crypto parses them (no openssl
// subprocess). A bundle file may hold several certificates; each is judged on its own. A file that
// holds no certificate, or one that does not parse, becomes a problem naming the file: never an
// exception, since a bad anchor must not hide the other certificates' dates.
import { X509Certificate } from 'node:crypto';
import type { CertificateFacts, CertificateFileProblem, CertificateRole } from '../core/readiness/certificates.js';
import type { HostFs } from './fs.js';

export interface CertificateRead {
  certs: CertificateFacts[];
  problems: CertificateFileProblem[];
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** Certificates in one file; a missing file gives nothing (whoever configured it reports that). */
export async function readCertificateFile(
  fs: Pick<HostFs, 'readBytes'>,
  file: string,
  role: CertificateRole,
): Promise<CertificateRead> {
  let bytes: Buffer | undefined;
  try {
    bytes = await fs.readBytes(file);
  } catch (error) {
    return problem(file, role, `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  if (bytes === undefined) return { certs: [], problems: [] };
  const blocks = bytes.toString('latin1').match(PEM_BLOCK) ?? [];
  if (blocks.length === 0)
    return problem(file, role, 'is not PEM: no "-----BEGIN CERTIFICATE-----" block (a DER file needs converting)');
  const read: CertificateRead = { certs: [], problems: [] };
  blocks.forEach((block, i) => {
    try {
      const x509 = new X509Certificate(block);
      read.certs.push({
        file,
        role,
        index: i + 1,
        subject: x509.subject.split('\n').join(', '),
        notBefore: Date.parse(x509.validFrom),
        notAfter: Date.parse(x509.validTo),
      });
    } catch (error) {
      read.problems.push({
        file,
        role,
        problem: `certificate #${i + 1} is not a valid PEM certificate (${(error as Error).message})`,
      });
    }
  });
  return read;
}

/** Every *.pem and *.crt in a directory (the trust anchors, a registry's certs.d entry). */
export async function readCertificateDir(
  fs: Pick<HostFs, 'readBytes' | 'list'>,
  dir: string,
  role: CertificateRole,
  suffixes: readonly string[] = ['.pem', '.crt'],
): Promise<CertificateRead> {
  const names = (await fs.list(dir).catch(() => [] as string[])).filter((n) => suffixes.some((s) => n.endsWith(s)));
  const reads = await Promise.all(names.map((n) => readCertificateFile(fs, `${dir}/${n}`, role)));
  return mergeReads(reads);
}

export function mergeReads(reads: CertificateRead[]): CertificateRead {
  return { certs: reads.flatMap((r) => r.certs), problems: reads.flatMap((r) => r.problems) };
}

function problem(file: string, role: CertificateRole, text: string): CertificateRead {
  return { certs: [], problems: [{ file, role, problem: text }] };
}
