// The dashboard in a real headless Chromium (Debian package): the overview's counts match the
// store, a search finds a device, a device page shows its rollback timeline in order, and what a
// device sends is shown as text, never run as markup; readiness warnings and uploaded bundles on the
// device page. Screenshots go to build/hub-dashboard/.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubServiceConfigSchema } from '../../agent/commands/hub/hub-service-config.js';
import { startHubService, type HubService } from '../../agent/commands/hub/service.js';
import { createHostFs } from '../../agent/host/fs.js';
import { browse, chromiumReady, shots } from '../harness/hub-service-chromium.js';
import { connectDevice, deployment, publishRollback, type VirtualDevice } from '../harness/hub-service-devices.js';
import { DEVICES, startBroker, type TestBroker } from '../harness/mosquitto.js';

const ready = chromiumReady();

const text = (html: string) => html.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ');

describe.skipIf(!ready)('hub dashboard in headless Chromium', () => {
  let broker: TestBroker;
  let dir: string;
  let service: HubService;
  const devices: VirtualDevice[] = [];
  const hostile = '<img src=x onerror=document.title="pwned">';

  beforeAll(async () => {
    broker = await startBroker({ clients: [...DEVICES, 'edge-agent-hub'] });
    dir = await mkdtemp(join(tmpdir(), 'edge-hub-dash-'));
    await mkdir(shots, { recursive: true });
    const client = broker.client('edge-agent-hub');
    const config = HubServiceConfigSchema.parse({
      broker: { url: broker.url, ca: broker.ca, cert: client.cert, key: client.key, clientId: 'edge-agent-hub-dash' },
      store: { kind: 'sqlite', path: join(dir, 'hub.db') },
      http: { port: 0 },
      bundles: { dir: join(dir, 'bundles') },
    });
    service = await startHubService(config, {
      fs: createHostFs('/'),
      log: {
        error: () => undefined,
        warn: () => undefined,
        info: () => undefined,
        debug: () => undefined,
        flush: (cb) => cb?.(),
      },
      file: 'hub.yaml',
    });
    for (const id of DEVICES) devices.push(await connectDevice(broker, id));
    const [a, b, c] = devices as [VirtualDevice, VirtualDevice, VirtualDevice];
    await a.status({ booted: deployment('9.4.1'), verdict: 'green' });
    await b.status({ booted: deployment('9.4.2'), verdict: 'red', attempt: { n: 2, max: 3 } });
    await c.status({
      booted: { version: hostile, checksum: 'abcdef012345' },
      verdict: 'checking',
      readiness: { level: 'warn', certificates: { level: 'warn', checked: 3, soonestExpiry: hostile, daysLeft: 12 } },
    });
    await b.online('offline');
    await publishRollback(a, '9.4.2', '9.4.1', [
      { id: 'stop-microshift', outcome: 'done', message: 'stopped microshift.service' },
      { id: 'remove-pods', outcome: 'done', message: '7 pods removed' },
      { id: `hook:${hostile}`, outcome: 'failed', message: 'exit 3' },
    ]);
    const deadline = Date.now() + 15_000;
    while (
      (await service.store.timeline(a.id, 10)).length < 5 ||
      (await service.store.overview(Date.now())).offline < 1
    ) {
      if (Date.now() > deadline) throw new Error('the hub did not store the devices in time');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  afterAll(async () => {
    for (const device of devices) await device.close().catch(() => undefined);
    await service?.close();
    await broker?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('shows overview counts that match the store', async () => {
    const overview = await service.store.overview(Date.now());
    const dom = await browse(`${service.httpUrl}/`, 'overview.png', join(dir, 'profile-1'));
    const tile = (label: string) =>
      Number(new RegExp(`data-count="${label}"[^>]*>\\s*<span class="n">(\\d+)<`).exec(dom)?.[1]);
    expect({
      devices: tile('devices'),
      green: tile('green'),
      red: tile('red'),
      checking: tile('checking'),
      offline: tile('offline'),
    }).toEqual({
      devices: overview.devices,
      green: overview.verdicts.green,
      red: overview.verdicts.red,
      checking: overview.verdicts.checking,
      offline: overview.offline,
    });
    expect(tile('readiness warnings')).toBe(overview.readiness.warn + overview.readiness.fail);
    expect(overview).toMatchObject({ devices: 3, offline: 1, readiness: { warn: 1, fail: 0 } });
    expect((await stat(join(shots, 'overview.png'))).size).toBeGreaterThan(1000);
  });

  it('finds a device by search and by deployment version', async () => {
    const dom = await browse(`${service.httpUrl}/devices?q=ice-b`, 'search.png', join(dir, 'profile-2'));
    expect([...dom.matchAll(/href="\/devices\/(device-[a-c])"/g)].map((m) => m[1])).toEqual(['device-b']);
    const byVersion = await browse(`${service.httpUrl}/devices?version=9.4.1`, 'version.png', join(dir, 'profile-3'));
    expect([...byVersion.matchAll(/href="\/devices\/(device-[a-c])"/g)].map((m) => m[1])).toEqual(['device-a']);
  });

  it('shows a rollback as RED x3, ROLLBACK, GREEN on the device page', async () => {
    const dom = await browse(`${service.httpUrl}/devices/device-a`, 'device-a.png', join(dir, 'profile-4'));
    const entries = [...dom.matchAll(/<span class="summary">([^<]*)<\/span>/g)].map((m) => (m[1] ?? '').split(',')[0]);
    expect(entries.reverse()).toEqual([
      'boot RED',
      'boot RED',
      'boot RED',
      'ROLLBACK from 9.4.2 to 9.4.1: boot red 3 times; pre-rollback: stop-microshift done',
      'boot GREEN',
    ]);
  });

  it("lists a rollback's pre-rollback actions with their outcomes under it, as text", async () => {
    const dom = await browse(`${service.httpUrl}/devices/device-a`, 'device-a-actions.png', join(dir, 'profile-6'));
    const rollback = /<li class="ev rollback-detected">[\s\S]*?<\/ul><\/li>/.exec(dom)?.[0] ?? '';
    const steps = [...rollback.matchAll(/<li class="step outcome-(\w+)">([\s\S]*?)<\/li>/g)].map((m) => [
      m[1],
      text(m[2] ?? '').trim(),
    ]);
    expect(steps).toEqual([
      ['done', 'stop-microshift : done stopped microshift.service'],
      ['done', 'remove-pods : done 7 pods removed'],
      ['failed', 'hook:&lt;img src=x onerror=document.title="pwned"&gt; : failed exit 3'],
    ]);
    expect(rollback).not.toMatch(/<img/i);
  });

  it('shows what a device sent as text, never as markup', async () => {
    const dom = await browse(`${service.httpUrl}/devices?filter=checking`, 'hostile.png', join(dir, 'profile-5'));
    expect(dom).not.toMatch(/<img/i);
    expect(dom).not.toContain('pwned</title>');
    expect(text(dom)).toContain('&lt;img src=x onerror=document.title="pwned"&gt;');
  });

  it("shows a device's readiness warnings, escaped, and none for a device without them", async () => {
    const dom = await browse(`${service.httpUrl}/devices/device-c`, 'device-c.png', join(dir, 'profile-7'));
    const warnings = [...(/<ul class="readiness">([\s\S]*?)<\/ul>/.exec(dom)?.[1] ?? '').matchAll(/<li>(.*?)<\/li>/g)];
    expect(warnings.map((m) => m[1])).toEqual([
      'certificates warn: the soonest expires on &lt;img src=x onerror=document.title="pwned"&gt; (12 days left)',
    ]);
    expect(dom).not.toMatch(/<img/i);
    const other = await browse(`${service.httpUrl}/devices/device-b`, 'device-b.png', join(dir, 'profile-8'));
    expect(other).not.toContain('Readiness warnings');
  });

  it("lists a device's uploaded support bundles with size and sha256, and the link downloads the bytes", async () => {
    const data = randomBytes(5000);
    const sha = createHash('sha256').update(data).digest('hex');
    const put = await fetch(`${service.httpUrl}/api/v1/devices/device-b/bundles/${sha}`, {
      method: 'PUT',
      body: data,
      headers: { 'content-range': 'bytes 0-4999/5000' },
    });
    expect(await put.json()).toEqual({ received: 5000, complete: true });
    const dom = await browse(`${service.httpUrl}/devices/device-b`, 'device-b-bundles.png', join(dir, 'profile-9'));
    const rows = [
      ...(/<table class="bundles">[\s\S]*?<\/table>/.exec(dom)?.[0] ?? '').matchAll(
        /<tr><td>([^<]+)<\/td><td>([^<]+)<\/td><td><code>([0-9a-f]+)<\/code><\/td><td><a href="([^"]+)"/g,
      ),
    ];
    expect(rows.map((m) => [m[2], m[3], m[4]])).toEqual([
      ['4.9 KiB', sha, `/api/v1/devices/device-b/bundles/${sha}.tar.gz`],
    ]);
    expect(Number.isNaN(Date.parse(rows[0]?.[1] ?? ''))).toBe(false);
    const download = await fetch(`${service.httpUrl}${rows[0]?.[4] ?? ''}`);
    expect(download.headers.get('content-type')).toBe('application/gzip');
    expect(Buffer.from(await download.arrayBuffer())).toEqual(data);
    const api = (await (await fetch(`${service.httpUrl}/api/v1/devices/device-b/bundles`)).json()) as {
      bundles: Array<{ sha256: string; size: number }>;
    };
    expect(api.bundles.map((b) => [b.sha256, b.size])).toEqual([[sha, 5000]]);
    expect(await browse(`${service.httpUrl}/devices/device-a`, 'device-a-2.png', join(dir, 'profile-10'))).toContain(
      'none uploaded',
    );
  });
});
