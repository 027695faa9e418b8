// Where --upload goes and as whom: with a hub configured, the device's MQTT client certificate and
// key go along (a hub service with a device CA checks that they name this device), and the id is
// the one its certificate carries; without a hub, machine-id and no certificate.
import { execa } from 'execa';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveUpload } from '../../../agent/commands/support-bundle/upload-target.js';
import { ConfigSchema } from '../../../agent/config/schema.js';
import { fakeHost } from '../../fakes/host.js';

let root: string | undefined;
afterEach(async () => {
  if (root) await rm(root, { recursive: true, force: true });
  root = undefined;
});

const loaded = { sources: ['/etc/edge-agent/config.yaml'] } as never;

describe('resolveUpload', () => {
  it("takes the device's MQTT certificate, key and CN for a hub service", async () => {
    root = await mkdtemp(join(tmpdir(), 'upload-target-'));
    const dir = join(root, 'etc/edge-agent/hub');
    await mkdir(dir, { recursive: true });
    await execa('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=device-7',
      '-keyout',
      join(dir, 'device.key'),
      '-out',
      join(dir, 'device.crt'),
    ]);
    await execa('chmod', ['600', join(dir, 'device.key')]);
    const config = ConfigSchema.parse({
      hub: {
        url: 'mqtts://hub.example.com:8883',
        cert: '/etc/edge-agent/hub/device.crt',
        key: '/etc/edge-agent/hub/device.key',
      },
      hubService: { url: 'https://hub.example.com:8787' },
    });
    const target = await resolveUpload(fakeHost({ root }), config, loaded);
    expect(target.deviceId).toBe('device-7');
    expect(target.token).toBeUndefined();
    expect(target.cert).toEqual(await readFile(join(dir, 'device.crt')));
    expect(target.key?.reveal()).toEqual(await readFile(join(dir, 'device.key')));
    // The key never prints.
    expect(JSON.stringify(target)).not.toContain('PRIVATE KEY');
  });

  it('sends no certificate without a hub: the id is the machine-id', async () => {
    root = await mkdtemp(join(tmpdir(), 'upload-target-'));
    await mkdir(join(root, 'etc'), { recursive: true });
    await writeFile(join(root, 'etc/machine-id'), '0123456789abcdef0123456789abcdef\n');
    const config = ConfigSchema.parse({ hubService: { url: 'https://hub.example.com:8787' } });
    const target = await resolveUpload(fakeHost({ root }), config, loaded);
    expect([target.deviceId, target.cert, target.key]).toEqual([
      '0123456789abcdef0123456789abcdef',
      undefined,
      undefined,
    ]);
  });
});
