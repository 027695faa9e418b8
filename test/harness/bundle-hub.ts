// A real hub service on loopback for the support-bundle upload tests: a TLS Mosquitto, the
// service with its embedded SQLite store and a bearer token, and one MQTT device that has
// reported, so the service knows it (uploads are refused for devices it has never heard from).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HubServiceConfigSchema } from '../../agent/commands/hub/hub-service-config.js';
import { startHubService } from '../../agent/commands/hub/service.js';
import { createHostFs } from '../../agent/host/fs.js';
import { connectDevice, deployment } from './hub-service-devices.js';
import { startBroker } from './mosquitto.js';

export interface UploadHub {
  port: number;
  bundlesDir: string;
  close(): Promise<void>;
}

export async function startUploadHub(options: {
  token: string;
  knownDevice: string;
  maxBytes?: number;
}): Promise<UploadHub> {
  const broker = await startBroker({ clients: [options.knownDevice, 'edge-agent-hub'] });
  const dir = await mkdtemp(join(tmpdir(), 'edge-bundle-hub-'));
  const closers: Array<() => Promise<unknown>> = [
    () => rm(dir, { recursive: true, force: true }),
    () => broker.cleanup(),
  ];
  const close = async () => {
    for (const closer of closers.splice(0).reverse()) await closer().catch(() => undefined);
  };
  try {
    const tokenFile = join(dir, 'token');
    await writeFile(tokenFile, `${options.token}\n`, { mode: 0o600 });
    const client = broker.client('edge-agent-hub');
    const config = HubServiceConfigSchema.parse({
      broker: { url: broker.url, ca: broker.ca, cert: client.cert, key: client.key },
      store: { kind: 'sqlite', path: join(dir, 'hub.db') },
      http: { port: 0, tokenFile },
      bundles: { dir: join(dir, 'bundles'), ...(options.maxBytes && { maxBytes: options.maxBytes }) },
    });
    const quiet = () => undefined;
    const service = await startHubService(config, {
      fs: createHostFs('/'),
      log: { error: quiet, warn: quiet, info: quiet, debug: quiet, flush: (cb) => cb?.() },
      file: join(dir, 'hub.yaml'),
    });
    closers.push(() => service.close());
    const device = await connectDevice(broker, options.knownDevice);
    closers.push(() => device.close());
    await device.status({ booted: deployment('9.4.1') });
    const deadline = Date.now() + 30_000;
    while (!(await service.store.device(options.knownDevice))) {
      if (Date.now() > deadline) throw new Error(`the hub service never stored ${options.knownDevice}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return { port: Number(new URL(service.httpUrl).port), bundlesDir: join(dir, 'bundles'), close };
  } catch (error) {
    await close();
    throw error;
  }
}
