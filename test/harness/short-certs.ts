// Self-signed certificates with chosen validity dates, for the certificate-expiry facts. Made with
// the `openssl` CLI (Node has no X.509 generation API). `openssl req -days` counts whole days
// from now and cannot go back in time; `openssl ca -selfsign` takes explicit start and end dates,
// so an expired or not-yet-valid certificate is as easy as one that ends in three days.
import { execa } from 'execa';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CA_CONFIG = `[ca]
default_ca = self
[self]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any
unique_subject = no
[any]
commonName = supplied
`;

/** openssl ca's date form: YYYYMMDDHHMMSSZ. */
const asn1Time = (date: Date) => `${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;

export async function makeCertificate(cn: string, notBefore: Date, notAfter: Date): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'edge-cert-'));
  try {
    await writeFile(join(dir, 'ca.cnf'), CA_CONFIG);
    await writeFile(join(dir, 'index.txt'), '');
    await writeFile(join(dir, 'serial'), '01\n');
    const run = (args: string[]) => execa('openssl', args, { cwd: dir });
    await run([
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      'key.pem',
      '-out',
      'req.csr',
      '-subj',
      `/CN=${cn}`,
    ]);
    await run([
      'ca',
      '-batch',
      '-config',
      'ca.cnf',
      '-selfsign',
      '-keyfile',
      'key.pem',
      '-in',
      'req.csr',
      '-startdate',
      asn1Time(notBefore),
      '-enddate',
      asn1Time(notAfter),
      '-notext',
      '-out',
      'cert.pem',
    ]);
    return await readFile(join(dir, 'cert.pem'), 'utf8');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const DAY_MS = 86_400_000;

/** A certificate valid since yesterday that ends `days` days (and an hour) from now. */
export function certificateEndingIn(cn: string, days: number): Promise<string> {
  const now = Date.now();
  return makeCertificate(cn, new Date(now - DAY_MS), new Date(now + days * DAY_MS + 3_600_000));
}
