// The daemon on a virtual edge device reporting to a real Mosquitto (the shipped example config and
// ACL, TLS client certificates) on the host's loopback: retained online and status, a boot-verdict
// event; events queued while the broker is down all arrive in order when it is back (at least
// once: a duplicate only ever under the same id); a failing update ends with rollback-detected
// from the fallback boot; `edge-agent fleet` on the host shows the device.
import { execa } from 'execa';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceStatusSchema, HubEventSchema, type HubEvent } from '../../agent/core/hub/payloads.js';
import type { FleetRow } from '../../agent/core/hub/fleet.js';
import { agentDist } from '../harness/agent-build.js';
import { bootEdgeDevice } from '../harness/edge-device.js';
import { nextBoot, settleBoot, type BootSummary } from '../harness/greenboot/boot-cycle.js';
import {
  deviceHubSetup,
  startBroker,
  subscribe,
  type Received,
  type Subscriber,
  type TestBroker,
} from '../harness/mosquitto.js';
import { makeUpdateAvailable, stageUpdate } from '../harness/rpm-ostree/device-rpm-ostree.js';
import type { VirtualDevice } from '../harness/vdev.js';

const UNIT = 'edge-agent.service';
const PREFIX = 'edge/v1/device-a';
// A workload check that fails only on the bad update 9.4.2.
const appCheck = `#!/bin/sh
# edge-agent test: the application is broken on 9.4.2 only.
rpm-ostree status --json | /usr/bin/node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => process.exit(JSON.parse(s).deployments.some((d) => d.booted && d.version === "9.4.2") ? 1 : 0))'
`;

let broker: TestBroker;
let device: VirtualDevice;
let watcher: Subscriber;

beforeAll(async () => {
  broker = await startBroker();
  // A persistent session: the broker keeps what arrives for it while it reconnects after a restart.
  watcher = await subscribe(broker, [`${PREFIX}/#`], {
    mqtt: { protocolVersion: 4, clean: false, clientId: 'daemon-hub-watcher' },
  });
  const hub = await deviceHubSetup(broker);
  const config = [
    ...hub.config,
    'daemon:',
    '  updateCheckIntervalSec: 10',
    // The device has no time sync: its failing wanted check would add an event to every boot.
    'disabledChecks: [clock-synchronized]',
    'checks:',
    '  - id: app',
    '    kind: command',
    '    command: ["/usr/local/libexec/app-check"]',
    '    timeoutSec: 20',
    '',
  ].join('\n');
  device = await bootEdgeDevice({
    deployments: [{ version: '9.4.0' }],
    greenboot: { maxBootAttempts: 1 },
    config,
    files: {
      ...hub.files,
      '/usr/local/libexec/app-check': { content: appCheck, mode: 0o755 },
      // Another vendor's wanted greenboot script that fails on every boot: shown, never red.
      '/etc/greenboot/check/wanted.d/50_vendor_updates.sh': {
        content: '#!/bin/bash\necho "update server unreachable" >&2\nexit 1\n',
        mode: 0o755,
      },
    },
  });
  // The device boots edge-device.target: enable the daemon there, so it runs on every boot.
  await device.sh(
    `ln -sf /etc/systemd/system/${UNIT} /etc/systemd/system/edge-device.target.wants/${UNIT} && systemctl daemon-reload`,
  );
}, 180_000);

afterAll(async () => {
  await watcher?.close();
  await device?.dispose();
  await broker?.cleanup();
});

const eventsOf = (messages: Received[]): HubEvent[] =>
  messages.filter((m) => m.topic === `${PREFIX}/events`).map((m) => HubEventSchema.parse(JSON.parse(m.payload)));
const lastRetained = (topic: string) =>
  watcher.messages.filter((m) => m.topic === `${PREFIX}/${topic}`).at(-1)?.payload;

/** First deliveries in order; a repeated id must carry the very same payload. */
function firstDeliveries(messages: Received[]): HubEvent[] {
  const seen = new Map<string, string>();
  const firsts: HubEvent[] = [];
  for (const m of messages.filter((x) => x.topic === `${PREFIX}/events`)) {
    const event = HubEventSchema.parse(JSON.parse(m.payload));
    const before = seen.get(event.id);
    if (before !== undefined) {
      expect(m.payload, `duplicate of ${event.id}`).toBe(before);
      continue;
    }
    seen.set(event.id, m.payload);
    firsts.push(event);
  }
  return firsts;
}

const describeEvent = (e: HubEvent) => {
  const body = e.body as { verdict?: string; check?: string; deployment?: { version?: string } };
  return [e.type, body.verdict ?? body.check ?? body.deployment?.version].filter(Boolean).join(':');
};

async function outboxHolds(text: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await device.exec(['grep', '-rqF', text, '/var/lib/edge-agent/outbox/'])).exitCode !== 0) {
    if (Date.now() > deadline) throw new Error(`the outbox got no ${text} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('a device reporting to the hub', () => {
  it('says online, publishes a green status and the boot verdict', async () => {
    expect((await device.exec(['systemctl', 'start', UNIT])).exitCode).toBe(0);
    await watcher.until(
      (m) =>
        eventsOf(m).some((e) => e.type === 'boot-verdict') &&
        m.some((x) => x.topic === `${PREFIX}/status` && x.payload.includes('"verdict":"green"')),
      60_000,
    );
    expect(lastRetained('online')).toBe('online');
    const status = DeviceStatusSchema.parse(JSON.parse(lastRetained('status') ?? '{}'));
    expect(status).toMatchObject({
      device: 'device-a',
      verdict: 'green',
      booted: { version: '9.4.0' },
      journalPersistent: true,
    });
    const verdict = eventsOf(watcher.messages).find((e) => e.type === 'boot-verdict');
    expect(verdict).toMatchObject({
      device: 'device-a',
      body: { verdict: 'green', bootId: device.bootId.replaceAll('-', ''), deployment: { version: '9.4.0' } },
    });
    // greenboot's scripts that failed this boot, whoever wrote them, travel with the verdict.
    expect((verdict?.body as { scripts?: unknown }).scripts).toEqual([
      { name: '50_vendor_updates.sh', kind: 'wanted', exitCode: 1, lastLines: ['update server unreachable'] },
    ]);
    expect(verdict?.body).not.toHaveProperty('stoppedBy');
  }, 90_000);

  it('queues an event again with its first id when the daemon died between queueing it and marking it reported', async () => {
    const verdict = eventsOf(watcher.messages).find((e) => e.type === 'boot-verdict');
    if (!verdict) throw new Error('no verdict delivered');
    const copies = () =>
      watcher.messages.filter((m) => m.topic === `${PREFIX}/events` && m.payload.includes(verdict.id)).length;
    const before = copies();
    expect((await device.exec(['systemctl', 'stop', UNIT])).exitCode).toBe(0);
    // The record as a daemon killed right after queueing leaves it: the id kept, the mark not set.
    const path = `/var/lib/edge-agent/boots/${device.bootId.replaceAll('-', '')}.json`;
    const record = JSON.parse(await device.readFile(path)) as {
      hubReported?: string[];
      hubIds?: Record<string, string>;
    };
    expect(record.hubReported).toContain('verdict:green');
    expect(record.hubIds).toBeUndefined();
    record.hubReported = record.hubReported?.filter((m) => m !== 'verdict:green');
    record.hubIds = { 'verdict:green': verdict.id };
    await device.writeFile(path, JSON.stringify(record));
    const restarted = Date.now();
    expect((await device.exec(['systemctl', 'start', UNIT])).exitCode).toBe(0);
    await watcher.until(() => copies() > before, 60_000);
    // The same event, same id, same payload (firstDeliveries checks that): one verdict for the hub.
    expect(
      firstDeliveries(watcher.messages)
        .filter((e) => e.type === 'boot-verdict')
        .map((e) => e.id),
    ).toEqual([verdict.id]);
    const after = JSON.parse(await device.readFile(path)) as typeof record;
    expect(after.hubReported).toContain('verdict:green');
    expect(after.hubIds).toBeUndefined();
    // The daemon's "last report" is when the broker acknowledged one, not when it queued.
    const lastReport = async () =>
      Date.parse(
        (JSON.parse(await device.readFile('/run/edge-agent/daemon.json')) as { hub: { lastReportAt?: string } }).hub
          .lastReportAt ?? '',
      );
    await expect.poll(lastReport, { timeout: 60_000, interval: 500 }).toBeGreaterThanOrEqual(restarted - 1000);
  }, 120_000);

  it('shows in `edge-agent fleet` on the host', async () => {
    const reader = broker.client('fleet-reader');
    const result = await execa(
      'node',
      [
        join(agentDist, 'cli.js'),
        'fleet',
        '--broker',
        broker.url,
        '--ca',
        broker.ca,
        '--cert',
        reader.cert,
        '--key',
        reader.key,
        '--json',
      ],
      { reject: false },
    );
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const rows = JSON.parse(result.stdout) as FleetRow[];
    expect(rows).toEqual([
      expect.objectContaining({ id: 'device-a', online: 'online', verdict: 'green', booted: '9.4.0', dropped: 0 }),
    ]);
  }, 30_000);

  it('keeps events while the broker is down and delivers every one in order when it is back', async () => {
    await broker.stop();
    // A verdict written by another process (the record watch), then a staged update (the update check).
    // 0: the verdict is recorded, no cleanup was due (nothing on trial).
    expect((await device.exec(['edge-agent', 'boot', 'red'])).exitCode).toBe(0);
    await outboxHolds('"verdict":"red"');
    await makeUpdateAvailable(device, { version: '9.4.2' });
    await stageUpdate(device);
    await outboxHolds('"update-staged"');
    const queued = eventsOf(watcher.messages).length;
    await broker.start();
    // The daemon runs preflight once the update is staged and reports it after the update itself.
    await watcher.until((m) => eventsOf(m).some((e) => e.type === 'preflight'), 90_000);
    expect(eventsOf(watcher.messages).length).toBeGreaterThan(queued);
    const firsts = firstDeliveries(watcher.messages).map(describeEvent);
    expect(firsts.filter((e) => e !== 'journal-persistence-changed')).toEqual([
      'boot-verdict:green',
      'boot-verdict:red',
      'update-staged:9.4.2',
      'preflight:9.4.2',
    ]);
    // What `edge-agent preflight` said on the device, counted; only the items that did not pass listed.
    const preflight = firstDeliveries(watcher.messages).find((e) => e.type === 'preflight')?.body as {
      counts: Record<string, number>;
      items: { id: string; status: string }[];
    };
    expect(Object.values(preflight.counts).reduce((a, b) => a + b, 0)).toBe(10);
    expect(preflight.items.length).toBe(preflight.counts.warn! + preflight.counts.fail!);
    expect(lastRetained('online')).toBe('online');
  }, 120_000);

  it('reports a failing update and, from the fallback boot, the rollback', async () => {
    // Into 9.4.2: one attempt (GREENBOOT_MAX_BOOT_ATTEMPTS=1), red, greenboot reboots, GRUB falls back.
    await nextBoot(device);
    const red: BootSummary = await nextBoot(device);
    expect([red.booted?.version, red.verdict, red.rebootRequested, red.next.fallback]).toEqual([
      '9.4.2',
      'red',
      true,
      true,
    ]);
    // The fallback boot (not ended here: a next boot would add its own verdict).
    await settleBoot(device, 120_000);
    await watcher.until(
      (m) =>
        eventsOf(m).some((e) => e.type === 'rollback-detected') &&
        new Set(
          eventsOf(m)
            .filter((e) => e.type === 'boot-verdict')
            .map((e) => e.id),
        ).size >= 4,
      90_000,
    );
    const firsts = firstDeliveries(watcher.messages);
    expect(firsts.map(describeEvent).filter((e) => e !== 'journal-persistence-changed')).toEqual([
      'boot-verdict:green',
      'boot-verdict:red',
      'update-staged:9.4.2',
      'preflight:9.4.2',
      'check-failed:app',
      'boot-verdict:red',
      'rollback-detected',
      'boot-verdict:green',
    ]);
    // The red boot of 9.4.2: edge-agent's required script stopped greenboot's required scripts,
    // with its last lines; greenboot then runs no wanted.d of that directory, so the vendor's
    // wanted script is not among them.
    const redVerdict = firsts.filter((e) => e.type === 'boot-verdict').at(-2);
    const redBody = redVerdict?.body as {
      verdict?: string;
      stoppedBy?: string;
      scripts?: { name: string; kind: string; exitCode?: number; lastLines?: string[] }[];
    };
    expect([redBody.verdict, redBody.stoppedBy]).toEqual(['red', '35_edge_agent_required.sh']);
    expect(redBody.scripts?.map((x) => [x.name, x.kind, x.exitCode])).toEqual([
      ['35_edge_agent_required.sh', 'required', 1],
    ]);
    expect(redBody.scripts?.[0]?.lastLines?.join('\n')).toContain('app');
    const rollback = firsts.find((e) => e.type === 'rollback-detected');
    expect(rollback?.body).toMatchObject({
      from: { version: '9.4.2' },
      to: { version: '9.4.0' },
      reason: expect.stringContaining('app'),
    });
    // Event ids are unique and time-ordered in the order of delivery.
    const ids = firsts.map((e) => e.id);
    expect([...ids].sort()).toEqual(ids);
    await watcher.until(() => /"verdict":"green".*"rollback"/.test(lastRetained('status') ?? ''), 30_000);
    const status = DeviceStatusSchema.parse(JSON.parse(lastRetained('status') ?? '{}'));
    expect(status).toMatchObject({
      verdict: 'green',
      booted: { version: '9.4.0' },
      rollback: { from: { version: '9.4.2' }, to: { version: '9.4.0' } },
    });
  }, 180_000);
});
