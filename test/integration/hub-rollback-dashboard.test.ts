// A rollback from a virtual device to the dashboard, nothing simulated on the hub side: the
// device's daemon reports to a real TLS Mosquitto with its client certificate, an update whose
// MicroShift crash-loops is tried three times, boot red prepares the rollback on the last
// attempt, GRUB falls back, the old deployment boots green; the hub service (embedded store)
// keeps the device's own events and its device page, in headless Chromium, shows
// RED x3 -> ROLLBACK -> GREEN in order with the failing check, the reason and the pre-rollback
// steps. Screenshot: build/hub-dashboard/rollback-device-a.png.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubServiceConfigSchema } from '../../agent/commands/hub/hub-service-config.js';
import { startHubService, type HubService } from '../../agent/commands/hub/service.js';
import { createHostFs } from '../../agent/host/fs.js';
import { installCrio } from '../harness/crio/install.js';
import { bootEdgeDevice } from '../harness/edge-device.js';
import { nextBoot, settleBoot, type BootSummary } from '../harness/greenboot/boot-cycle.js';
import { browse, chromiumReady } from '../harness/hub-service-chromium.js';
import { setDeploymentScenario } from '../harness/microshift/install.js';
import { scenario } from '../harness/microshift/scenario.js';
import { deviceHubSetup, startBroker, type TestBroker } from '../harness/mosquitto.js';
import { makeUpdateAvailable, readDeployments, stageUpdate } from '../harness/rpm-ostree/device-rpm-ostree.js';
import type { VirtualDevice } from '../harness/vdev.js';

const UNIT = 'edge-agent.service';

describe.skipIf(!chromiumReady())('a rollback on a virtual device, seen on the hub dashboard', () => {
  let broker: TestBroker;
  let service: HubService;
  let device: VirtualDevice;
  let dir: string;

  beforeAll(async () => {
    broker = await startBroker({ clients: ['device-a', 'edge-agent-hub'] });
    dir = await mkdtemp(join(tmpdir(), 'edge-hub-rollback-'));
    const hubClient = broker.client('edge-agent-hub');
    const quiet = () => undefined;
    service = await startHubService(
      HubServiceConfigSchema.parse({
        broker: {
          url: broker.url,
          ca: broker.ca,
          cert: hubClient.cert,
          key: hubClient.key,
          clientId: 'edge-agent-hub-rollback',
        },
        store: { kind: 'sqlite', path: join(dir, 'hub.db') },
        http: { port: 0 },
      }),
      {
        fs: createHostFs('/'),
        log: { error: quiet, warn: quiet, info: quiet, debug: quiet, flush: (cb) => cb?.() },
        file: join(dir, 'hub.yaml'),
      },
    );
    const hub = await deviceHubSetup(broker);
    const config = [
      ...hub.config,
      'microshift:',
      '  waitTimeoutSec: 60',
      '  restartWindowSec: 15',
      // No time sync on the virtual device: its failing wanted check would add an event per boot.
      'disabledChecks: [clock-synchronized]',
      '',
    ].join('\n');
    device = await bootEdgeDevice({
      deployments: [{ version: '9.4.0' }],
      microshift: scenario('healthy'),
      config,
      boot: false,
      files: {
        ...hub.files,
      },
    });
    await installCrio(device);
    // The daemon runs on every boot of edge-device.target.
    await device.sh(`ln -sf /etc/systemd/system/${UNIT} /etc/systemd/system/edge-device.target.wants/${UNIT}`);
    const [good] = await readDeployments(device);
    await device.sh(`mkdir -p /var/lib/microshift-backups/${good?.id}_0123456789abcdef0123456789abcdef`);
    await setDeploymentScenario(device, '9.4.2', scenario('crash-loop'));
  }, 300_000);

  afterAll(async () => {
    await device?.dispose();
    await service?.close();
    await broker?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('shows RED x3, ROLLBACK with its reason and pre-rollback steps, then GREEN, in order', async () => {
    await makeUpdateAvailable(device, { version: '9.4.2' });
    await stageUpdate(device);
    await nextBoot(device);
    // The three attempts of 9.4.2; after the last, GRUB falls back to 9.4.0 (that boot is not
    // ended here: a next boot would add a second green verdict).
    const summaries: BootSummary[] = [];
    for (let boot = 0; boot < 5; boot++) {
      const summary = await nextBoot(device);
      summaries.push(summary);
      if (summary.next.fallback || summary.verdict !== 'red' || !summary.rebootRequested) break;
    }
    expect(summaries.map((s) => [s.booted?.version, s.verdict, s.next.fallback])).toEqual([
      ['9.4.2', 'red', false],
      ['9.4.2', 'red', false],
      ['9.4.2', 'red', true],
    ]);
    // The fallback boot's daemon reports the rollback and its green verdict; wait for the hub.
    await settleBoot(device, 120_000);
    const deadline = Date.now() + 180_000;
    for (;;) {
      const types = (await service.store.timeline('device-a', 200)).map((e) => e.type);
      const rollback = types.indexOf('rollback-detected');
      // Newest first: a green verdict newer than the rollback.
      if (rollback > 0 && types.slice(0, rollback).includes('boot-verdict')) break;
      if (Date.now() > deadline) throw new Error(`the hub has not got the rollback and the green boot: ${types}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const { httpUrl } = service;
    const dom = await browse(`${httpUrl}/devices/device-a`, 'rollback-device-a.png', join(dir, 'profile'));
    const entries = [...dom.matchAll(/<li class="ev ([a-z-]+)">[\s\S]*?<span class="summary">([^<]*)<\/span>/g)]
      .map((m) => ({ type: m[1] ?? '', summary: m[2] ?? '' }))
      .reverse();
    // From the first red boot of 9.4.2 on, the boots and the rollback in the order they happened.
    const firstRed = entries.findIndex((e) => e.summary.startsWith('boot RED'));
    const story = entries
      .slice(firstRed)
      .filter((e) => e.type === 'boot-verdict' || e.type === 'rollback-detected')
      .map((e) => e.summary);
    expect(story.map((s) => s.split(/[,:]/)[0])).toEqual([
      'boot RED',
      'boot RED',
      'boot RED',
      'ROLLBACK from 9.4.2 to 9.4.0',
      'boot GREEN',
    ]);
    // Each red boot names its failing check and reason; the rollback says why and what was prepared.
    for (const red of story.slice(0, 3)) expect(red).toMatch(/on 9\.4\.2, attempt \d\/3, failed: microshift \(\S+\)/);
    expect(story[3]).toContain('first failing check: microshift');
    expect(story[3]).toContain('pre-rollback: ');
    const steps = [...dom.matchAll(/<li class="step outcome-(\w+)"><span class="step-id">([^<]*)<\/span>/g)].map(
      (m) => m[2],
    );
    expect(steps).toContain('stop-microshift');
  }, 900_000);
});
