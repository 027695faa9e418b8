// From the `hub` config to what a connection needs: the broker URL (TLS unless explicitly allowed
// otherwise), the CA/certificate/key read through the HostFs, and the device id. Key material is
// wrapped so it cannot end up in a log line or an error message by accident.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { redactSecrets } from '../core/redact.js';
import { ConfigError, type ConfigProblem } from '../errors.js';
import type { HubConfig } from '../config/schema.js';
import type { HostFs } from '../host/fs.js';

/** A secret value: prints as [redacted] in logs, JSON and inspection. */
export class Secret {
  readonly #value: Buffer;
  constructor(value: Buffer) {
    this.#value = value;
  }
  reveal(): Buffer {
    return this.#value;
  }
  toString(): string {
    return '[redacted]';
  }
  toJSON(): string {
    return '[redacted]';
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return '[redacted]';
  }
}

export interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Secret;
}

export interface HubConnection {
  url: string;
  deviceId: string;
  /** Where the device id came from, for the log. */
  deviceIdSource: 'config' | 'certificate' | 'machine-id';
  tls: TlsMaterial;
  topicPrefix: string;
  heartbeatSec: number;
  statusMinIntervalSec: number;
  keepaliveSec: number;
}

const DEVICE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

/** `source` names the config in errors (the loader knows which file set `hub`). */
export async function resolveHubConnection(
  hub: HubConfig,
  fs: Pick<HostFs, 'readBytes' | 'info'>,
  source = 'edge-agent config',
): Promise<{ connection: HubConnection; warnings: string[] }> {
  checkBrokerUrl(hub.url, hub.allowInsecure, source, 'hub.url');
  const warnings: string[] = [];
  const tls = await readTlsMaterial({ ca: hub.ca, cert: hub.cert, key: hub.key }, fs);
  const cn = tls.cert ? certificateCn(tls.cert) : undefined;
  let deviceId: string;
  let deviceIdSource: HubConnection['deviceIdSource'];
  if (hub.deviceId) {
    deviceId = hub.deviceId;
    deviceIdSource = 'config';
    if (cn !== undefined && cn !== hub.deviceId)
      warnings.push(
        `hub.deviceId ${hub.deviceId} differs from the client certificate CN ${cn}: a broker that checks the identity will refuse what this device publishes`,
      );
  } else if (cn !== undefined) {
    if (!DEVICE_ID.test(cn))
      throw problem(
        source,
        'hub.cert',
        `the client certificate CN ${JSON.stringify(cn)} cannot be used as a device id in topics`,
        'a CN of letters, digits, ".", "_", ":", "-", or set hub.deviceId',
      );
    deviceId = cn;
    deviceIdSource = 'certificate';
  } else {
    const machineId = (await fs.readBytes('/etc/machine-id'))?.toString('utf8').trim();
    if (!machineId || !DEVICE_ID.test(machineId))
      throw problem(
        source,
        'hub.deviceId',
        'no device id: no client certificate and no usable /etc/machine-id',
        'hub.deviceId or hub.cert',
      );
    deviceId = machineId;
    deviceIdSource = 'machine-id';
  }
  if (hub.url.startsWith('mqtt://') && (tls.cert || tls.ca))
    warnings.push('hub.url is plain mqtt://: hub.ca, hub.cert and hub.key are not used');
  return {
    connection: {
      url: hub.url,
      deviceId,
      deviceIdSource,
      tls,
      topicPrefix: hub.topicPrefix,
      heartbeatSec: hub.heartbeatSec,
      statusMinIntervalSec: hub.statusMinIntervalSec,
      keepaliveSec: hub.keepaliveSec,
    },
    warnings,
  };
}

/** The URL with its password shown as *** (mqtts://user:***@host), for logs and errors. */
export function displayUrl(url: string): string {
  try {
    new URL(url);
  } catch {
    return '(unparsable URL)';
  }
  return redactSecrets(url);
}

/** mqtts:// always; plain mqtt:// only when explicitly allowed. */
export function checkBrokerUrl(
  url: string,
  allowInsecure: boolean,
  source: string,
  key: string,
  allowName = 'hub.allowInsecure',
): void {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw problem(source, key, 'not a URL', 'an mqtts:// URL such as mqtts://hub.example.com:8883');
  }
  if (protocol === 'mqtts:') return;
  if (protocol === 'mqtt:' && allowInsecure) return;
  if (protocol === 'mqtt:')
    throw problem(
      source,
      key,
      `plain mqtt:// sends device data unencrypted and is refused unless ${allowName} is set (${displayUrl(url)})`,
      'an mqtts:// URL',
    );
  throw problem(source, key, `unsupported scheme ${protocol} in ${displayUrl(url)}`, 'an mqtts:// URL');
}

/**
 * Read the PEM files. The key must not be readable by group or others: a device key that any
 * local user can read lets them publish as the device.
 */
export async function readTlsMaterial(
  files: { ca?: string; cert?: string; key?: string },
  fs: Pick<HostFs, 'readBytes' | 'info'>,
  keyName: (name: 'ca' | 'cert' | 'key') => string = (name) => `hub.${name}`,
): Promise<TlsMaterial> {
  const read = async (name: 'ca' | 'cert' | 'key') => {
    const path = files[name];
    if (path === undefined) return undefined;
    const data = await fs.readBytes(path).catch((error: NodeJS.ErrnoException) => {
      throw problem(path, keyName(name), `cannot read the file (${error.code ?? error.message})`);
    });
    if (data === undefined) throw problem(path, keyName(name), 'the file does not exist');
    return data;
  };
  if (files.key !== undefined) {
    const info = await fs.info(files.key);
    if (info && (info.mode & 0o077) !== 0) {
      throw problem(
        files.key,
        keyName('key'),
        `the private key is readable by group or others (mode ${(info.mode & 0o777).toString(8).padStart(4, '0')}); refusing to use it`,
        `mode 0600 or 0400 (chmod 600 ${files.key})`,
      );
    }
  }
  const [ca, cert, key] = [await read('ca'), await read('cert'), await read('key')];
  if (ca) parseCertificate(ca, files.ca!, keyName('ca'), 'CA certificate');
  const x509 = cert ? parseCertificate(cert, files.cert!, keyName('cert'), 'certificate') : undefined;
  if (key)
    checkPrivateKey(key, files.key!, keyName('key'), x509 && { cert: x509, path: files.cert!, key: keyName('cert') });
  return { ca, cert, key: key ? new Secret(key) : undefined };
}

/**
 * The configured CA, certificate and key files that do not exist (yet): a device provisioned
 * after the image was built gets them later, and the daemon waits for them.
 */
export async function missingTlsFiles(
  files: { ca?: string; cert?: string; key?: string },
  fs: Pick<HostFs, 'info'>,
): Promise<string[]> {
  const paths = [files.cert, files.key, files.ca].filter((p): p is string => p !== undefined);
  const found = await Promise.all(paths.map(async (p) => (await fs.info(p)) !== undefined));
  return paths.filter((_, i) => !found[i]);
}

function parseCertificate(pem: Buffer, file: string, key: string, what: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (error) {
    throw problem(
      file,
      key,
      `not a PEM ${what} (${(error as Error).message})`,
      `a PEM ${what} (-----BEGIN CERTIFICATE-----)`,
    );
  }
}

/**
 * The key must parse and belong to the certificate. Without this check a wrong pair fails only
 * when the TLS context is built, with OpenSSL's "key values mismatch" that names neither file.
 */
function checkPrivateKey(
  pem: Buffer,
  file: string,
  key: string,
  cert?: { cert: X509Certificate; path: string; key: string },
): void {
  let parsed;
  try {
    parsed = createPrivateKey(pem);
  } catch (error) {
    // OpenSSL's reason only (e.g. "unsupported"): never the key itself.
    throw problem(
      file,
      key,
      `not a PEM private key (${(error as Error).message})`,
      'an unencrypted PEM private key (-----BEGIN PRIVATE KEY-----)',
    );
  }
  if (cert && !cert.cert.checkPrivateKey(parsed)) {
    throw problem(
      file,
      key,
      `this private key does not belong to the certificate ${cert.path} (${cert.key})`,
      `the private key that ${cert.path} was issued for`,
    );
  }
}

/** The subject CN of a PEM certificate; undefined when it has none. */
export function certificateCn(pem: Buffer, file = 'certificate', key = 'hub.cert'): string | undefined {
  let subject: string;
  try {
    subject = new X509Certificate(pem).subject;
  } catch (error) {
    throw problem(file, key, `not a PEM certificate (${(error as Error).message})`);
  }
  // One attribute per line, e.g. "O=example\nCN=device-a"; the last CN is the most specific.
  const cns = subject
    .split('\n')
    .filter((line) => line.startsWith('CN='))
    .map((line) => line.slice(3));
  return cns[cns.length - 1];
}

function problem(file: string, path: string, message: string, expected?: string): ConfigError {
  const entry: ConfigProblem = { file, path, message };
  if (expected) entry.expected = expected;
  return new ConfigError([entry]);
}
