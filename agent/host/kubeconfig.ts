// MicroShift's kubeconfig, read into what an HTTPS request needs: the API's address, the CA to
// trust and the client's credentials. Read by hand rather than through a Kubernetes client library:
// the one we used cost ~0.4 s and ~90 MB of memory to import, for a file with three sections.
//
// What is understood (what MicroShift writes, plus what an operator commonly edits in):
// current-context → context → cluster (server, certificate-authority[-data],
// insecure-skip-tls-verify, tls-server-name) and user (client-certificate[-data],
// client-key[-data], token, tokenFile). Paths are relative to the kubeconfig's directory, as
// kubectl reads them. Credential plugins (exec, auth-provider) are refused by name: MicroShift
// never writes them, and running a program named in a file is not a probe's business.
//
// Every error names the kubeconfig and the key; none quotes a value (the file holds a private
// key and maybe a token).
import { dirname, isAbsolute, join } from 'node:path';
import { parseDocument } from 'yaml';
import { HostError, NotRegularFileError } from '../errors.js';
import type { HostFs } from './fs.js';

export interface KubeTarget {
  /** The API's base URL, e.g. https://127.0.0.1:6443 (no trailing slash). */
  server: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  servername?: string;
  rejectUnauthorized: boolean;
  token?: string;
}

type Entry = Record<string, unknown>;

export async function readKubeconfig(fs: HostFs, path: string): Promise<KubeTarget> {
  const text = await fs.readText(path).catch((error: NodeJS.ErrnoException) => {
    const why =
      error instanceof NotRegularFileError
        ? `it is ${error.kind}, expected a regular file`
        : (error.code ?? error.message);
    throw new HostError('kubeconfig-unreadable', `cannot read MicroShift kubeconfig ${path}: ${why}`, {
      cause: error,
      retryable: true,
    });
  });
  // MicroShift writes the kubeconfig on its first start: missing early in a boot is not final.
  if (text === undefined)
    throw new HostError('kubeconfig-missing', `MicroShift kubeconfig ${path} does not exist (yet)`, {
      retryable: true,
    });
  const invalid = (why: string) =>
    new HostError('kubeconfig-invalid', `MicroShift kubeconfig ${path} is not a valid kubeconfig: ${why}`);

  const doc = parseDocument(text);
  const syntax = doc.errors[0];
  if (syntax) {
    // Only the parser's first sentence and position: its code frame would quote the file.
    const at = syntax.linePos?.[0];
    const reason = syntax.message.split(/ at line \d+/)[0] ?? syntax.code;
    throw invalid(`YAML error${at ? ` at line ${at.line}, column ${at.col}` : ''}: ${reason}`);
  }
  const root: unknown = doc.toJS();
  if (!isEntry(root)) throw invalid('expected a mapping with clusters, contexts and users');

  const current = root['current-context'];
  const noCluster = (why: string) =>
    new HostError('kubeconfig-invalid', `MicroShift kubeconfig ${path} names no current cluster (${why})`);
  if (typeof current !== 'string' || current === '') throw noCluster('current-context is not set');
  const context = named(root, 'contexts', current, 'context', invalid);
  if (!context) throw noCluster(`contexts has no entry named "${current}"`);
  const clusterName = context['cluster'];
  const cluster =
    typeof clusterName === 'string' ? named(root, 'clusters', clusterName, 'cluster', invalid) : undefined;
  if (!cluster) throw noCluster(`context "${current}" names no cluster in clusters`);
  const server = cluster['server'];
  if (typeof server !== 'string' || !/^https:\/\/[^/]/.test(server))
    throw invalid(`clusters[${clusterName}].cluster.server: expected an https:// URL`);

  const userName = context['user'];
  const user = typeof userName === 'string' ? (named(root, 'users', userName, 'user', invalid) ?? {}) : {};
  for (const plugin of ['exec', 'auth-provider'])
    if (user[plugin] !== undefined)
      throw invalid(`users[${String(userName)}].user.${plugin}: credential plugins are not supported`);

  const base = dirname(path);
  const material = (entry: Entry, where: string, key: string) => readMaterial(fs, base, entry, where, key, invalid);
  const tokenFile = typeof user['tokenFile'] === 'string' ? user['tokenFile'] : undefined;
  const token =
    typeof user['token'] === 'string'
      ? user['token']
      : tokenFile
        ? (await readReferenced(fs, base, tokenFile, `users[${String(userName)}].user.tokenFile`, invalid))
            .toString('utf8')
            .trim()
        : undefined;
  const servername = cluster['tls-server-name'];
  return {
    server: server.replace(/\/+$/, ''),
    ca: await material(cluster, `clusters[${clusterName}].cluster`, 'certificate-authority'),
    cert: await material(user, `users[${String(userName)}].user`, 'client-certificate'),
    key: await material(user, `users[${String(userName)}].user`, 'client-key'),
    ...(typeof servername === 'string' && servername !== '' && { servername }),
    rejectUnauthorized: cluster['insecure-skip-tls-verify'] !== true,
    ...(token !== undefined && { token }),
  };
}

function isEntry(value: unknown): value is Entry {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `list` is kubeconfig's [{name, <field>: {...}}] shape; the entry of `name`, if there is one. */
function named(
  root: Entry,
  list: string,
  name: string,
  field: string,
  invalid: (why: string) => HostError,
): Entry | undefined {
  const entries = root[list] ?? [];
  if (!Array.isArray(entries)) throw invalid(`${list}: expected a list`);
  const found = entries.find((e: unknown) => isEntry(e) && e['name'] === name) as Entry | undefined;
  if (!found) return undefined;
  const inner = found[field] ?? {};
  if (!isEntry(inner)) throw invalid(`${list}[${name}].${field}: expected a mapping`);
  return inner;
}

/** `<key>-data` (base64, inline) or `<key>` (a file path). */
async function readMaterial(
  fs: HostFs,
  base: string,
  entry: Entry,
  where: string,
  key: string,
  invalid: (why: string) => HostError,
): Promise<Buffer | undefined> {
  const inline = entry[`${key}-data`];
  if (inline !== undefined) {
    if (typeof inline !== 'string' || !/^[A-Za-z0-9+/=\s]+$/.test(inline))
      throw invalid(`${where}.${key}-data: expected base64 text`);
    return Buffer.from(inline, 'base64');
  }
  const file = entry[key];
  if (file === undefined) return undefined;
  if (typeof file !== 'string') throw invalid(`${where}.${key}: expected a file path`);
  return readReferenced(fs, base, file, `${where}.${key}`, invalid);
}

async function readReferenced(
  fs: HostFs,
  base: string,
  file: string,
  where: string,
  invalid: (why: string) => HostError,
): Promise<Buffer> {
  const full = isAbsolute(file) ? file : join(base, file);
  let bytes: Buffer | undefined;
  try {
    bytes = await fs.readBytes(full);
  } catch (error) {
    const why = error instanceof NotRegularFileError ? `it is ${error.kind}` : (error as NodeJS.ErrnoException).code;
    throw invalid(`${where}: cannot read ${full} (${why ?? 'unreadable'})`);
  }
  if (bytes === undefined) throw invalid(`${where}: ${full} does not exist`);
  return bytes;
}
