// `edge-agent hub` as the unit runs it: the bundled CLI under Node 22+, killed with SIGKILL and
// started again (nothing lost, nothing doubled), served over HTTPS with a bearer token, and read
// by `edge-agent fleet --hub`.
import { execa } from 'execa';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetRow } from '../../agent/core/hub/fleet.js';
import { agentDist } from '../harness/agent-build.js';
import { connectDevice, deployment, type VirtualDevice } from '../harness/hub-service-devices.js';
import { DEVICES, startBroker, type TestBroker } from '../harness/mosquitto.js';

const node22 = Number(process.versions.node.split('.')[0]) >= 22;
const cli = join(agentDist, 'cli.js');

interface RunningHub {
  url: string;
  child: ChildProcess;
  stderr: () => string;
}

function startHub(config: string): Promise<RunningHub> {
  const child = spawn(process.execPath, [cli, 'hub', '--config', config], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, EDGE_AGENT_LOG_LEVEL: 'info' },
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`edge-agent hub did not start within 20 s: ${stderr}`)), 20_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const url = /listening on (\S+)/.exec(stdout)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ url, child, stderr: () => stderr });
      }
    });
    child.once('exit', (code) => reject(new Error(`edge-agent hub exited ${code}: ${stderr}`)));
  });
}

async function poll<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value).slice(0, 400)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.skipIf(!node22)('edge-agent hub (bundled CLI)', () => {
  let broker: TestBroker;
  let dir: string;
  const devices: VirtualDevice[] = [];
  const token = 'test-token-0123456789abcdef';

  beforeAll(async () => {
    broker = await startBroker({ clients: [...DEVICES, 'fleet-reader', 'edge-agent-hub'] });
    dir = await mkdtemp(join(tmpdir(), 'edge-hub-cli-'));
    const hubClient = broker.client('edge-agent-hub');
    await writeFile(join(dir, 'token'), `${token}\n`, { mode: 0o600 });
    await chmod(join(dir, 'token'), 0o600);
    const broker_ = `broker:\n  url: ${broker.url}\n  ca: ${broker.ca}\n  cert: ${hubClient.cert}\n  key: ${hubClient.key}\n`;
    await writeFile(
      join(dir, 'hub.yaml'),
      `${broker_}store:\n  kind: sqlite\n  path: ${join(dir, 'hub.db')}\nhttp:\n  port: 0\n`,
    );
    // The broker's own certificate (SAN 127.0.0.1) serves the dashboard over HTTPS here.
    await writeFile(
      join(dir, 'hub-https.yaml'),
      `${broker_}  clientId: edge-agent-hub-https\nstore:\n  kind: sqlite\n  path: ${join(dir, 'hub2.db')}\nhttp:\n  port: 0\n  cert: ${join(broker.dir, 'broker.crt')}\n  key: ${join(broker.dir, 'broker.key')}\n  tokenFile: ${join(dir, 'token')}\n`,
    );
    for (const id of DEVICES) devices.push(await connectDevice(broker, id));
  });

  afterAll(async () => {
    for (const device of devices) await device.close().catch(() => undefined);
    await broker?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('survives SIGKILL without losing or doubling events, and fleet --hub lists every device', async () => {
    const [a, b] = devices as [VirtualDevice, VirtualDevice];
    let hub = await startHub(join(dir, 'hub.yaml'));
    try {
      for (const device of devices)
        await device.status({ booted: deployment('9.4.1'), verdict: device === b ? 'red' : 'green' });
      for (let i = 0; i < 10; i += 1) await a.event('check-failed', { check: `c${i}`, class: 'wanted', reason: 'r' });
      await poll(
        async () =>
          (await (await fetch(`${hub.url}/api/v1/devices/${a.id}/timeline`)).json()) as { events?: unknown[] },
        (t) => t.events?.length === 10,
        'ten events',
      );
      hub.child.kill('SIGKILL');
      await new Promise((resolve) => hub.child.once('exit', resolve));
      for (let i = 10; i < 30; i += 1) await a.event('check-failed', { check: `c${i}`, class: 'wanted', reason: 'r' });
      hub = await startHub(join(dir, 'hub.yaml'));
      const url = hub.url;
      const timeline = await poll(
        async () =>
          (await (await fetch(`${url}/api/v1/devices/${a.id}/timeline`)).json()) as { events: Array<{ id: string }> },
        (t) => t.events.length >= 30,
        'thirty events',
      );
      expect(timeline.events.map((e) => e.id)).toEqual(a.published.map((e) => e.id).reverse());
      // node:sqlite's experimental notice is not in the service's log; nothing else went wrong.
      expect(hub.stderr()).not.toMatch(/ExperimentalWarning|error/i);

      const fleet = await execa(process.execPath, [cli, 'fleet', '--hub', hub.url, '--json'], { reject: false });
      expect(fleet.exitCode).toBe(0);
      expect((JSON.parse(fleet.stdout) as FleetRow[]).map((r) => [r.id, r.verdict])).toEqual([
        ['device-b', 'red'],
        ['device-a', 'green'],
        ['device-c', 'green'],
      ]);
    } finally {
      hub.child.kill('SIGTERM');
    }
  });

  it('over HTTPS asks for the bearer token, and fleet --hub sends it', async () => {
    const hub = await startHub(join(dir, 'hub-https.yaml'));
    try {
      expect(hub.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const get = (headers: Record<string, string>) =>
        execa(
          'curl',
          [
            '-s',
            '-o',
            '/dev/null',
            '-w',
            '%{http_code}',
            '--cacert',
            broker.ca,
            ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]),
            `${hub.url}/api/v1/overview`,
          ],
          { reject: false },
        );
      expect((await get({})).stdout).toBe('401');
      expect((await get({ authorization: 'Bearer wrong-token-0123456789ab' })).stdout).toBe('401');
      expect((await get({ authorization: `Bearer ${token}` })).stdout).toBe('200');
      const withToken = ['fleet', '--hub', hub.url, '--ca', broker.ca, '--json'];
      expect((await execa(process.execPath, [cli, ...withToken], { reject: false })).exitCode).not.toBe(0);
      const fleet = await poll(
        () => execa(process.execPath, [cli, ...withToken, '--token-file', join(dir, 'token')], { reject: false }),
        (r) => r.exitCode === 0 && (JSON.parse(r.stdout) as unknown[]).length === 3,
        'three devices over HTTPS',
      );
      expect((JSON.parse(fleet.stdout) as FleetRow[]).map((r) => r.id).sort()).toEqual(DEVICES);
    } finally {
      hub.child.kill('SIGTERM');
    }
  });

  it('refuses to expose the dashboard without TLS and a token, and a token others can read', async () => {
    const https = await readFile(join(dir, 'hub-https.yaml'), 'utf8');
    await writeFile(
      join(dir, 'exposed.yaml'),
      https.replace(/^http:\n[\s\S]*$/m, 'http:\n  host: 0.0.0.0\n  port: 0\n'),
    );
    const exposed = await execa(process.execPath, [cli, 'hub', '--config', join(dir, 'exposed.yaml')], {
      reject: false,
    });
    expect(exposed.exitCode).toBe(78);
    expect(exposed.stderr).toContain(
      `${join(dir, 'exposed.yaml')}: http.cert: http.host 0.0.0.0 is not loopback, so HTTPS and a bearer token are required`,
    );
    await writeFile(join(dir, 'open-token'), `${token}\n`);
    await chmod(join(dir, 'open-token'), 0o644);
    await writeFile(join(dir, 'open.yaml'), https.replace(join(dir, 'token'), join(dir, 'open-token')));
    const open = await execa(process.execPath, [cli, 'hub', '--config', join(dir, 'open.yaml')], { reject: false });
    expect(open.exitCode).toBe(78);
    expect(open.stderr).toContain(
      `${join(dir, 'open-token')}: http.tokenFile: the token file is readable by group or others (mode 0644); expected mode 0600 or 0400`,
    );
  });
});
