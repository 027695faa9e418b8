// Certificates for the simulated MicroShift API, made with the `openssl` CLI.
//
// What it simulates: MicroShift's own PKI in miniature: a cluster CA, the kube-apiserver serving
// certificate (SANs for 127.0.0.1, localhost, the in-cluster names and the default
// `api.example.com`) and the kubeadmin client certificate (CN system:admin, O system:masters)
// that /var/lib/microshift/resources/kubeadmin/kubeconfig embeds. What it leaves out: the many
// other signers and rotation. EC P-256 keys rather than MicroShift's RSA keep generation fast.
// Node has no X.509 generation API, hence openssl. The work directory under the temp dir is
// removed as soon as the PEMs are read: test workers are often killed without an `exit` event.
import { execa } from 'execa';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SimCerts {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

let cached: Promise<SimCerts> | undefined;

/** The process-wide certificate set (made on first use). */
export function simCerts(): Promise<SimCerts> {
  cached ??= createCerts();
  return cached;
}

/** A fresh CA, server and client certificate (PEM strings). */
export async function createCerts(): Promise<SimCerts> {
  const dir = await mkdtemp(join(tmpdir(), 'edge-microshift-certs-'));
  try {
    return await generate(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function generate(dir: string): Promise<SimCerts> {
  const file = (name: string) => join(dir, name);
  const openssl = async (...args: string[]) => {
    const result = await execa('openssl', args, { reject: false, cwd: dir });
    if (result.exitCode !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr}`);
  };
  const key = (name: string) =>
    openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file(name));
  await Promise.all([key('ca.key'), key('server.key'), key('client.key')]);
  await openssl(
    'req',
    '-x509',
    '-new',
    '-key',
    file('ca.key'),
    '-out',
    file('ca.crt'),
    '-days',
    '365',
    '-subj',
    '/OU=openshift/CN=kube-apiserver-localhost-signer',
  );
  const sign = async (name: string, subject: string, extensions: string) => {
    await writeFile(file(`${name}.ext`), extensions);
    await openssl('req', '-new', '-key', file(`${name}.key`), '-out', file(`${name}.csr`), '-subj', subject);
    await openssl(
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      file('ca.crt'),
      '-CAkey',
      file('ca.key'),
      '-CAcreateserial',
      '-days',
      '365',
      '-out',
      file(`${name}.crt`),
      '-extfile',
      file(`${name}.ext`),
    );
  };
  const leaf = 'basicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature, keyEncipherment\n';
  await sign(
    'server',
    '/CN=127.0.0.1',
    `${leaf}extendedKeyUsage = serverAuth\nsubjectAltName = IP:127.0.0.1, IP:10.43.0.1, DNS:localhost, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, DNS:kubernetes.default.svc.cluster.local, DNS:api.example.com\n`,
  );
  await sign('client', '/O=system:masters/CN=system:admin', `${leaf}extendedKeyUsage = clientAuth\n`);
  const read = (name: string) => readFile(file(name), 'utf8');
  return {
    ca: await read('ca.crt'),
    serverCert: await read('server.crt'),
    serverKey: await read('server.key'),
    clientCert: await read('client.crt'),
    clientKey: await read('client.key'),
  };
}

/** A kubeconfig like MicroShift's kubeadmin one: embedded certificate data, client-cert auth. */
export function renderKubeconfig(certs: SimCerts, server: string): string {
  const b64 = (pem: string) => Buffer.from(pem).toString('base64');
  return `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: ${b64(certs.ca)}
    server: ${server}
  name: microshift
contexts:
- context:
    cluster: microshift
    namespace: default
    user: user
  name: microshift
current-context: microshift
kind: Config
preferences: {}
users:
- name: user
  user:
    client-certificate-data: ${b64(certs.clientCert)}
    client-key-data: ${b64(certs.clientKey)}
`;
}
