// The hub service's own config file (default /etc/edge-agent/hub.yaml): broker, store,
// retention, HTTP. One zod schema with defaults; problems name the file, the key and what was
// expected, like the device config.
import * as z from 'zod';
import { ConfigError } from '../../errors.js';
import type { HostFs } from '../../host/fs.js';
import { problemsFromIssue } from '../../config/problems.js';
import { parseYamlText } from '../../config/yaml-file.js';

export const defaultHubServiceConfigPath = '/etc/edge-agent/hub.yaml';

const path = () => z.string().startsWith('/', { message: 'expected an absolute path' });

export const HubServiceConfigSchema = z.strictObject({
  broker: z.strictObject({
    url: z.string().describe('mqtts:// URL of the broker'),
    ca: path().optional().describe('PEM CA of the broker certificate'),
    cert: path()
      .optional()
      .describe('PEM client certificate of the hub service (CN edge-agent-hub in the example ACL)'),
    key: path().optional().describe('PEM key of cert, mode 0600'),
    allowInsecure: z.boolean().default(false).describe('allow plain mqtt:// (tests only)'),
    topicPrefix: z
      .string()
      .regex(/^[^/+#\s]+(\/[^/+#\s]+)*$/, { message: 'expected topic levels without wildcards, e.g. edge/v1' })
      .default('edge/v1'),
    clientId: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,64}$/, { message: 'expected 1-64 letters, digits, ".", "_", ":", "-"' })
      .default('edge-agent-hub')
      .describe(
        'fixed, so the broker keeps this session while the service is down; unique per instance (a broker that binds the client id to the certificate, as the example does, uses the CN instead: give each instance its own certificate)',
      ),
    sharedGroup: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, { message: 'expected 1-64 letters, digits, ".", "_", "-"' })
      .optional()
      .describe('MQTT 5 shared subscription group for events: instances with the same group split the events'),
    sessionExpirySec: z
      .number()
      .int()
      .min(60)
      .default(7 * 86_400)
      .describe('how long the broker queues events for a stopped service'),
  }),
  store: z
    .discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('sqlite'), path: path().default('/var/lib/edge-agent-hub/hub.db') }),
      z.strictObject({
        kind: z.literal('postgres'),
        url: z.string().regex(/^postgres(ql)?:\/\//, {
          message: 'expected a postgres:// URL, e.g. postgres://edge_hub@db.example.com:5432/edge_hub',
        }),
        maxConnections: z.number().int().min(1).max(100).default(4),
      }),
    ])
    .default({ kind: 'sqlite', path: '/var/lib/edge-agent-hub/hub.db' }),
  retention: z
    .strictObject({
      maxEventsPerDevice: z.number().int().min(10).default(2000),
      maxAgeDays: z.number().int().min(1).default(180),
      pruneEverySec: z.number().int().min(1).default(3600),
    })
    .default({ maxEventsPerDevice: 2000, maxAgeDays: 180, pruneEverySec: 3600 }),
  limits: z
    .strictObject({ maxPayloadBytes: z.number().int().min(1024).max(262_144).default(16_384) })
    .default({ maxPayloadBytes: 16_384 }),
  bundles: z
    .strictObject({
      dir: path()
        .default('/var/lib/edge-agent-hub/bundles')
        .describe('where support bundles uploaded by devices are kept'),
      maxBytes: z
        .number()
        .int()
        .min(1024 * 1024)
        .default(100 * 1024 * 1024)
        .describe('largest bundle accepted, in bytes'),
      keepPerDevice: z.number().int().min(1).default(5).describe('complete bundles kept per device, newest first'),
    })
    .default({ dir: '/var/lib/edge-agent-hub/bundles', maxBytes: 100 * 1024 * 1024, keepPerDevice: 5 }),
  http: z
    .strictObject({
      host: z
        .string()
        .default('127.0.0.1')
        .describe('listen address; anything but loopback needs cert, key and tokenFile'),
      port: z.number().int().min(0).max(65535).default(8787),
      cert: path().optional(),
      key: path().optional(),
      tokenFile: path().optional().describe('file holding the bearer token clients must send'),
      deviceCa: path()
        .optional()
        .describe(
          "CA that signs the devices' MQTT client certificates; with it, support bundle uploads need the device's own certificate (CN or SAN = the device id) instead of the token",
        ),
    })
    .default({ host: '127.0.0.1', port: 8787 }),
});
export type HubServiceConfig = z.infer<typeof HubServiceConfigSchema>;

export const isLoopback = (host: string): boolean =>
  host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);

export function parseHubServiceConfig(file: string, text: string): HubServiceConfig {
  const yaml = parseYamlText(file, text);
  if (yaml.status === 'missing') throw new ConfigError([{ file, path: '', message: 'the file does not exist' }]);
  if (yaml.status === 'invalid') throw new ConfigError(yaml.problems);
  const result = HubServiceConfigSchema.safeParse(yaml.data);
  if (!result.success)
    throw new ConfigError(
      result.error.issues.flatMap((issue) =>
        problemsFromIssue(file, issue, yaml.data, HubServiceConfigSchema, yaml.locate),
      ),
    );
  const config = result.data;
  // Exposed beyond this host, the dashboard and API carry the whole fleet's state: TLS and a token.
  if (!isLoopback(config.http.host)) {
    const missing = (['cert', 'key', 'tokenFile'] as const).filter((key) => config.http[key] === undefined);
    if (missing.length > 0)
      throw new ConfigError(
        missing.map((key) => ({
          file,
          path: `http.${key}`,
          message: `http.host ${config.http.host} is not loopback, so HTTPS and a bearer token are required`,
          expected: 'an absolute path',
        })),
      );
  }
  // Client certificates only exist inside TLS.
  if (config.http.deviceCa !== undefined) {
    const missing = (['cert', 'key'] as const).filter((key) => config.http[key] === undefined);
    if (missing.length > 0)
      throw new ConfigError(
        missing.map((key) => ({
          file,
          path: `http.${key}`,
          message: 'http.deviceCa is set: devices present their certificates over HTTPS only',
          expected: 'an absolute path',
        })),
      );
  }
  return config;
}

export async function loadHubServiceConfig(fs: HostFs, file: string): Promise<HubServiceConfig> {
  const text = await fs.readText(file).catch((error: NodeJS.ErrnoException) => {
    throw new ConfigError([{ file, path: '', message: `cannot read the file (${error.code ?? error.message})` }]);
  });
  if (text === undefined)
    throw new ConfigError([
      {
        file,
        path: '',
        message: 'the file does not exist',
        expected: 'a hub service config (see packaging/docs/hub.md)',
      },
    ]);
  return parseHubServiceConfig(file, text);
}
