// A device whose hub certificate files are provisioned after the image: on a virtual edge device
// with the real Mosquitto on the host's loopback, the daemon starts (READY) without the files and
// does its local work (boot record, state, outbox), `status` says what it waits for; when the
// files appear the device shows up on the broker with the boot verdict it kept. A malformed
// certificate: an error naming the file in status and the journal, the daemon still up.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubEventSchema } from '../../agent/core/hub/payloads.js';
import { bootEdgeDevice } from '../harness/edge-device.js';
import { startBroker, subscribe, type Subscriber, type TestBroker } from '../harness/mosquitto.js';
import type { VirtualDevice } from '../harness/vdev.js';

const UNIT = 'edge-agent.service';
const PREFIX = 'edge/v1/device-a';
const CERT = '/etc/edge-agent/hub/device.crt';

let broker: TestBroker;
let device: VirtualDevice;
let watcher: Subscriber;

beforeAll(async () => {
  broker = await startBroker();
  watcher = await subscribe(broker, [`${PREFIX}/#`]);
  const config = [
    'hub:',
    `  url: ${broker.url}`,
    '  ca: /etc/edge-agent/hub/ca.crt',
    `  cert: ${CERT}`,
    '  key: /etc/edge-agent/hub/device.key',
    '  statusMinIntervalSec: 1',
    // The device has no time sync: its failing wanted check would add an event to every boot.
    'disabledChecks: [clock-synchronized]',
    '',
  ].join('\n');
  // No hub files at all, not even their directory: as an image before provisioning.
  device = await bootEdgeDevice({ deployments: [{ version: '9.4.0' }], greenboot: { maxBootAttempts: 1 }, config });
}, 180_000);

afterAll(async () => {
  await watcher?.close();
  await device?.dispose();
  await broker?.cleanup();
});

type StatusJson = {
  agent: {
    daemon: { running: boolean };
    hub: { waitingFor?: string; error?: string; connected?: boolean; queued?: number };
  };
  problems: { code: string; message: string }[];
};
const status = async () => JSON.parse((await device.exec(['edge-agent', 'status', '--json'])).stdout) as StatusJson;
const humanStatus = async () => (await device.exec(['edge-agent', 'status'])).stdout;

async function until<T>(
  what: string,
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms (last: ${JSON.stringify(value)})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('hub files that arrive after the image', () => {
  it('starts without them, does its local work and says what it waits for', async () => {
    expect((await device.exec(['systemctl', 'start', UNIT])).exitCode).toBe(0);
    // Type=notify: `systemctl start` returned, so READY=1 came.
    expect((await device.sh(`systemctl show -p ActiveState -p SubState ${UNIT}`)).trim()).toBe(
      'ActiveState=active\nSubState=running',
    );
    // Local work: this boot's verdict queued for the hub in the outbox, the state file written.
    await until(
      'the boot verdict in the outbox',
      () => device.exec(['grep', '-rqF', 'boot-verdict', '/var/lib/edge-agent/outbox/']).then((r) => r.exitCode),
      (code) => code === 0,
    );
    const json = await until('status naming the missing file', status, (s) => s.agent.hub.waitingFor !== undefined);
    expect(json.agent.daemon.running).toBe(true);
    // The first missing file in the order cert, key, ca.
    expect(json.agent.hub).toMatchObject({ waitingFor: CERT, connected: false });
    expect(json.problems.map((p) => p.code)).toContain('hub-waiting');
    expect(await humanStatus()).toMatch(/ Hub: waiting for \/etc\/edge-agent\/hub\/device\.crt/);
    const waiting = await device.journal({ matches: ['EDGE_AGENT_EVENT=hub-waiting'] });
    expect(waiting.map((e) => e.MESSAGE)).toEqual([
      `hub: waiting for ${CERT} before connecting to ${broker.url}; local work goes on`,
    ]);
    expect(watcher.messages).toEqual([]);
  }, 90_000);

  it('connects when the files appear and delivers what it kept', async () => {
    const client = broker.client('device-a');
    // Provisioning as a script would do it: directory, files, key mode.
    await device.sh('mkdir -p /etc/edge-agent/hub');
    await device.writeFile('/etc/edge-agent/hub/ca.crt', await readFile(broker.ca, 'utf8'));
    await device.writeFile('/etc/edge-agent/hub/device.key', await readFile(client.key, 'utf8'), 0o600);
    await device.writeFile(CERT, await readFile(client.cert, 'utf8'));
    await watcher.until(
      (m) =>
        m.some((x) => x.topic === `${PREFIX}/online` && x.payload === 'online') &&
        m.some(
          (x) => x.topic === `${PREFIX}/events` && HubEventSchema.parse(JSON.parse(x.payload)).type === 'boot-verdict',
        ),
      30_000,
    );
    const json = await until('status connected', status, (s) => s.agent.hub.connected === true);
    expect(json.agent.hub.waitingFor).toBeUndefined();
    expect(json.problems.map((p) => p.code)).not.toContain('hub-waiting');
    expect(await humanStatus()).toMatch(/ Hub: connected to mqtts:\/\/127\.0\.0\.1/);
  }, 60_000);

  it('reports a malformed certificate with its path and keeps running', async () => {
    await device.writeFile(CERT, '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n');
    // Read at start: a daemon restart (a reboot, or after an upgrade) finds the broken file.
    expect((await device.exec(['systemctl', 'restart', UNIT])).exitCode).toBe(0);
    const json = await until('status with the file error', status, (s) => s.agent.hub.error !== undefined);
    expect(json.agent.hub.error).toMatch(
      /^\/etc\/edge-agent\/hub\/device\.crt: hub\.cert: not a PEM certificate \(.+\); expected a PEM certificate/,
    );
    expect(json.problems.find((p) => p.code === 'hub-file-error')?.message).toContain(CERT);
    expect(await humanStatus()).toMatch(
      / Hub: not connecting to mqtts:\/\/127\.0\.0\.1:\d+:\s+\/etc\/edge-agent\/hub\/device\.crt: hub\.cert: not a PEM/,
    );
    const errors = await device.journal({ matches: ['EDGE_AGENT_EVENT=hub-file-error'] });
    expect(errors.map((e) => [e.PRIORITY, (e as Record<string, unknown>).EDGE_AGENT_PATH])).toEqual([['3', CERT]]);
    // Still up well after the start, its local work going on (the state file refreshed).
    const before = JSON.parse(await device.sh('cat /run/edge-agent/daemon.json')) as { updatedAt: string; pid: number };
    await until(
      'a refreshed state file',
      () => device.sh('cat /run/edge-agent/daemon.json').then((t) => JSON.parse(t) as { updatedAt: string }),
      (s) => s.updatedAt !== before.updatedAt,
      45_000,
    );
    expect(
      (
        await device.sh(`systemctl show -p ActiveState --value ${UNIT}; systemctl show -p NRestarts --value ${UNIT}`)
      ).trim(),
    ).toBe('active\n0');
  }, 90_000);
});
