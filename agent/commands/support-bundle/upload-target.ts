// Where `--upload` sends the bundle and as whom: the hub service from config (hubService), this
// device's id as the hub knows it (the same id the MQTT reports carry), and its proof: the MQTT
// client certificate and key when a hub is configured (a service with a device CA checks that the
// certificate names this id), and the bearer token when one is configured.
import { ConfigError } from '../../errors.js';
import type { LoadedConfig } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import type { Host } from '../../host/host.js';
import { resolveHubConnection, type Secret } from '../../hub/hub-config.js';

export interface UploadTarget {
  url: string;
  token?: string;
  ca?: Buffer;
  deviceId: string;
  /** The device's MQTT client certificate and key, presented to the service over HTTPS. */
  cert?: Buffer;
  key?: Secret;
}

export async function resolveUpload(host: Host, config: Config, loaded: LoadedConfig): Promise<UploadTarget> {
  // hubService may come from a drop-in; the main file is where an operator looks first.
  const file =
    loaded.sources.length > 1 ? 'edge-agent config (config.yaml and config.d/)' : '/etc/edge-agent/config.yaml';
  const problem = (path: string, message: string, expected: string) =>
    new ConfigError([{ file, path, message, expected }]);
  const service = config.hubService;
  if (!service)
    throw problem(
      'hubService.url',
      '--upload needs a hub service, and none is configured',
      'hubService.url (e.g. https://hub.example.com:8787) and hubService.tokenFile when the service has a token',
    );
  let token: string | undefined;
  if (service.tokenFile) {
    const info = await host.fs.info(service.tokenFile);
    if (!info?.isFile)
      throw problem(
        'hubService.tokenFile',
        `${service.tokenFile} does not exist`,
        'a file holding the hub service token',
      );
    if ((info.mode & 0o077) !== 0)
      throw problem(
        'hubService.tokenFile',
        `${service.tokenFile} is readable by group or others (mode ${(info.mode & 0o777).toString(8).padStart(4, '0')})`,
        `mode 0600 (chmod 600 ${service.tokenFile})`,
      );
    token = (await host.fs.readText(service.tokenFile))?.trim() || undefined;
    if (!token) throw problem('hubService.tokenFile', `${service.tokenFile} is empty`, 'the hub service token');
  }
  let ca: Buffer | undefined;
  if (service.ca) {
    ca = await host.fs.readBytes(service.ca);
    if (!ca) throw problem('hubService.ca', `${service.ca} does not exist`, 'a PEM CA file');
  }
  return { url: service.url, token, ca, ...(await identity(host, config, file)) };
}

/** The id the hub files this device under: the MQTT identity when a hub is set, else machine-id. */
async function identity(
  host: Host,
  config: Config,
  file: string,
): Promise<{ deviceId: string; cert?: Buffer; key?: Secret }> {
  if (config.hub) {
    const { connection } = await resolveHubConnection(config.hub, host.fs, file);
    return { deviceId: connection.deviceId, cert: connection.tls.cert, key: connection.tls.key };
  }
  const machineId = (await host.fs.readText('/etc/machine-id'))?.trim();
  if (!machineId)
    throw new ConfigError([
      {
        file,
        path: 'hub.deviceId',
        message: 'no device id: no hub configured and no /etc/machine-id',
        expected: 'hub.deviceId',
      },
    ]);
  return { deviceId: machineId };
}
