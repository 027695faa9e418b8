// `edge-agent support-bundle` on a virtual device: the archive's contents against its MANIFEST,
// secrets planted in config, pull secret, hub key and token file never in it (extracted files and
// raw archive), mode 0600, the caps with a large journal, bad input, and an upload to a real hub
// service on loopback through a proxy that drops the connection in the middle of a chunk.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { installCrio } from '../harness/crio/install.js';
import { bootEdgeDevice } from '../harness/edge-device.js';
import { installAgent } from '../harness/install-agent.js';
import { scenario } from '../harness/microshift/scenario.js';
import { VirtualDevice } from '../harness/vdev.js';

const BROKER_PASSWORD = 'Brok3r-pa55word-planted';
const API_TOKEN = 'api-token-planted-0123456789abcdef';
const PULL_PASSWORD = 'pull-pa55word-planted';
const PULL_AUTH = Buffer.from(`robot:${PULL_PASSWORD}`).toString('base64');
const SECRETS = [BROKER_PASSWORD, API_TOKEN, PULL_PASSWORD, PULL_AUTH];

let device: VirtualDevice | undefined;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await device?.dispose();
  device = undefined;
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

function deviceConfig(hubServiceUrl = 'http://127.0.0.1:9', deviceId = 'device-a'): string {
  return [
    'hub:',
    `  url: mqtt://edge:${BROKER_PASSWORD}@127.0.0.1:1`,
    '  allowInsecure: true',
    `  deviceId: ${deviceId}`,
    '  cert: /etc/edge-agent/hub/device.crt',
    '  key: /etc/edge-agent/hub/device.key',
    'hubService:',
    `  url: ${hubServiceUrl}`,
    '  tokenFile: /etc/edge-agent/hub/api-token',
    '',
  ].join('\n');
}

/** The body lines of the device's private key: none may appear in a bundle. */
async function keyLines(d: VirtualDevice): Promise<string[]> {
  const pem = await d.readFile('/etc/edge-agent/hub/device.key');
  return pem.split('\n').filter((line) => line && !line.startsWith('-----'));
}

/**
 * A device with secrets planted where edge-agent's config points. `edge`: the complete edge host
 * (rpm-ostree, GRUB, greenboot, MicroShift and CRI-O stand-ins) booted through greenboot once;
 * otherwise a bare device with only edge-agent.
 */
async function plantedDevice(config = deviceConfig(), edge = false): Promise<VirtualDevice> {
  if (edge) {
    device = await bootEdgeDevice({ config, microshift: scenario('healthy') });
    await installCrio(device);
  } else {
    device = await VirtualDevice.boot();
    await installAgent(device, { shims: false, config });
  }
  await device.writeFile('/etc/edge-agent/hub/api-token', `${API_TOKEN}\n`, 0o600);
  await device.sh(
    'openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=device-a -keyout /etc/edge-agent/hub/device.key -out /etc/edge-agent/hub/device.crt 2>/dev/null && chmod 600 /etc/edge-agent/hub/device.key',
  );
  await device.writeFile(
    '/etc/crio/openshift-pull-secret',
    JSON.stringify({ auths: { 'mirror.example.com:5000': { auth: PULL_AUTH } } }),
    0o600,
  );
  // A secret that leaked into a file the bundle copies as it is: the second layer must catch it.
  await device.sh(
    `mkdir -p /etc/greenboot && echo '# pasted by mistake: ${PULL_PASSWORD}' >> /etc/greenboot/greenboot.conf`,
  );
  return device;
}

interface BundleResult {
  path: string;
  sha256: string;
  bytes: number;
  durationMs: number;
  items: Array<{ name: string; command: string; exit: number | null; bytes: number; cutFrom?: number; note?: string }>;
  upload?: { url: string; retries: number; resumedAt: number[] };
}

async function bundle(d: VirtualDevice, ...args: string[]) {
  const r = await d.exec(['edge-agent', 'support-bundle', '--json', ...args], { timeoutMs: 240_000 });
  return { ...r, result: (r.exitCode === 0 ? JSON.parse(r.stdout) : undefined) as BundleResult };
}

/** Extract on the host with the system tar; every file's path and text. */
async function extract(d: VirtualDevice, path: string): Promise<Map<string, string>> {
  const dir = await mkdtemp(join(tmpdir(), 'edge-bundle-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  execFileSync('tar', ['-xzf', d.path(path), '-C', dir]);
  const files = new Map<string, string>();
  const walk = async (at: string): Promise<void> => {
    for (const entry of await readdir(at, { withFileTypes: true })) {
      const full = join(at, entry.name);
      if (entry.isDirectory()) await walk(full);
      else files.set(relative(dir, full).split('/').slice(1).join('/'), await readFile(full, 'utf8'));
    }
  };
  await walk(dir);
  return files;
}

describe('support-bundle contents', () => {
  it('writes a 0600 archive whose MANIFEST lists every item, with every planted secret left out', async () => {
    const d = await plantedDevice(deviceConfig(), true);
    const { exitCode, stderr, result } = await bundle(d);
    expect(stderr).toBe('');
    expect(exitCode).toBe(0);
    expect(result.path).toMatch(/^\/var\/tmp\/edge-agent-support-[A-Za-z0-9._-]+-\d{8}T\d{6}Z\.tar\.gz$/);
    const raw = await readFile(d.path(result.path));
    expect((await stat(d.path(result.path))).mode & 0o777).toBe(0o600);
    expect(createHash('sha256').update(raw).digest('hex')).toBe(result.sha256);
    expect(raw.length).toBe(result.bytes);

    const files = await extract(d, result.path);
    const names = [...files.keys()].filter((n) => n !== 'MANIFEST' && n !== 'manifest.json').sort();
    expect(names).toEqual(result.items.map((i) => i.name).sort());
    for (const wanted of [
      'status.json',
      'preflight.json',
      'history.json',
      'config/config.yaml.redacted.yaml',
      'config/problems.txt',
      'greenboot.conf',
      'pull-secret.txt',
      'rpm-ostree-status.json',
      'grubenv.txt',
      'units-failed.txt',
      'units.txt',
      'df.txt',
      'crictl-pods.txt',
      'crictl-ps.txt',
      'journal/boot0-greenboot.txt',
      'journal/boot0-edge-agent.txt',
      'journal/boot-1-microshift.txt',
    ])
      expect(names).toContain(wanted);
    const manifest = files.get('MANIFEST') ?? '';
    for (const item of result.items) {
      expect(manifest).toContain(`${item.name}\t${item.command}\t${item.exit ?? '-'}\t`);
      expect(Buffer.byteLength(files.get(item.name) ?? '')).toBe(item.bytes);
    }
    expect(JSON.parse(files.get('status.json') ?? '')).toHaveProperty('schema', 1);
    const ok = (name: string) => expect(result.items.find((i) => i.name === name)?.exit, name).toBe(0);
    for (const name of ['status.json', 'history.json', 'rpm-ostree-status.json', 'grubenv.txt', 'crictl-pods.txt'])
      if (name !== 'status.json') ok(name);
    expect(JSON.parse(files.get('rpm-ostree-status.json') ?? '').deployments.length).toBeGreaterThan(0);
    expect(files.get('grubenv.txt')).toMatch(/^boot_success=/m);
    expect(JSON.parse(files.get('history.json') ?? '{}').entries.length).toBeGreaterThan(0);
    expect(files.get('journal/boot0-greenboot.txt')).toContain('Boot Status is GREEN');
    expect(files.get('crictl-pods.txt')).toMatch(/POD ID/);
    expect(files.get('df.txt')).toMatch(/\/var|\/\n/);
    // preflight's own verdict is its exit (0 ready, 1 a failed item, 2 warnings only): any of them is
    // a report, kept as its JSON.
    const preflight = result.items.find((i) => i.name === 'preflight.json');
    expect([0, 1, 2]).toContain(preflight?.exit);
    expect(JSON.parse(files.get('preflight.json') ?? '{}')).toMatchObject({ schema: 1, items: expect.any(Array) });
    expect(files.get('pull-secret.txt')).toMatch(
      /^\/etc\/crio\/openshift-pull-secret: present, \d+ bytes, owner 0:0, mode 0600/,
    );
    expect(files.get('config/config.yaml.redacted.yaml')).toContain('url: mqtt://edge:***@127.0.0.1:1');
    expect(files.get('config/config.yaml.redacted.yaml')).toContain('tokenFile: /etc/edge-agent/hub/api-token');
    expect(files.get('greenboot.conf')).toContain('# pasted by mistake: ***');

    const tarStream = gunzipSync(raw).toString('latin1');
    const keys = await keyLines(d);
    expect(keys.length).toBeGreaterThan(0);
    for (const secret of [...SECRETS, ...keys]) {
      for (const [name, text] of files) expect(text.includes(secret), `${secret} in ${name}`).toBe(false);
      expect(tarStream.includes(secret)).toBe(false);
      expect(raw.includes(secret)).toBe(false);
    }
  }, 300_000);
});

describe('support-bundle --sos', () => {
  it('runs sos report --batch beside the bundle and names the archive it made', async () => {
    const d = await plantedDevice();
    // A stand-in for sos: prints what sos report prints at its end (no microshift-sos-report here).
    await d.writeFile(
      '/usr/local/bin/sos',
      '#!/bin/sh\necho "$@" > /run/sos-args\nprintf "Your sos report has been generated and saved in:\\n\\t/var/tmp/sosreport-vdev-2026.tar.xz\\n"\n',
      0o755,
    );
    const { exitCode, result } = await bundle(d, '--sos');
    expect(exitCode).toBe(0);
    expect((await d.readFile('/run/sos-args')).trim()).toBe('report --batch');
    expect((result as BundleResult & { sos: { archive?: string } }).sos.archive).toBe(
      '/var/tmp/sosreport-vdev-2026.tar.xz',
    );
    const files = await extract(d, result.path);
    expect(files.get('MANIFEST')).toContain(
      'sos: sos report --batch: exit 0, archive /var/tmp/sosreport-vdev-2026.tar.xz',
    );
  });
});

describe('support-bundle caps', () => {
  it('stays within the size and time caps with a large journal, cutting items with a marker', async () => {
    const d = await plantedDevice();
    // 60 000 lines of ~120 bytes under an edge-agent unit; rate limiting off so none are dropped.
    await d.sh(
      'systemd-run --wait --quiet -p LogRateLimitIntervalSec=0 --unit=edge-agent-noise sh -c \'seq 1 60000 | sed "s/^/noise line padded to be long enough to matter for the cap, number /"\' && journalctl --sync',
      { timeoutMs: 180_000 },
    );
    const started = Date.now();
    const { exitCode, stderr, result } = await bundle(d, '--lines', '100000', '--max-mb', '1', '--max-sec', '60');
    const wall = Date.now() - started;
    expect(stderr).toBe('');
    expect(exitCode).toBe(0);
    expect(wall).toBeLessThan(90_000);
    const journal = result.items.find((i) => i.name === 'journal/boot0-edge-agent.txt');
    expect(journal?.cutFrom).toBeGreaterThan(1024 * 1024);
    const total = result.items.reduce((sum, i) => sum + i.bytes, 0);
    expect(total).toBeLessThanOrEqual(1024 * 1024);
    const files = await extract(d, result.path);
    expect(files.get('journal/boot0-edge-agent.txt')).toMatch(
      /\[edge-agent support-bundle: cut here, \d+ of \d+ bytes kept\]\n$/,
    );
    expect(files.get('MANIFEST')).toMatch(/journal\/boot0-edge-agent\.txt\t[^\n]*\tyes \(from \d+\)/);
  }, 300_000);
});

describe('support-bundle time limits', () => {
  it('stops an item that hangs at its limit and still writes the bundle, printing path and sha256', async () => {
    const d = await plantedDevice();
    // A crictl that never answers, as one stuck on a dead CRI-O socket does.
    await d.writeFile('/usr/local/bin/crictl', '#!/bin/sh\nexec sleep 1000\n', 0o755);
    const started = Date.now();
    const r = await d.exec(['edge-agent', 'support-bundle', '--max-sec', '8'], { timeoutMs: 120_000 });
    const wall = Date.now() - started;
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    // The cap plus starting Node and writing the archive on a busy machine: far below 1000 s.
    expect(wall).toBeLessThan(60_000);
    const [path, sha, summary] = r.stdout.split('\n');
    expect(path).toMatch(/^\/var\/tmp\/edge-agent-support-.*\.tar\.gz$/);
    const raw = await readFile(d.path(path ?? ''));
    expect(sha).toBe(`sha256 ${createHash('sha256').update(raw).digest('hex')}`);
    expect(summary).toMatch(/^\d+ bytes, \d+\.\d s/);
    const manifest = (await extract(d, path ?? '')).get('MANIFEST') ?? '';
    expect(manifest).toMatch(
      /crictl-pods\.txt\tcrictl pods\t[^\n]*(timed out after \d+ ms|stopped: the run cap was reached)/,
    );
    expect(await d.sh('pgrep -f "^sleep 1000$" || true')).toBe('');
  }, 180_000);
});

describe('support-bundle bad input', () => {
  it('says /var/tmp is not writable, exit 74, and leaves nothing behind', async () => {
    const d = await plantedDevice();
    // /var/tmp made read-only in place, not covered by an empty mount: a checkout under /var/tmp
    // (which the device runs the bundle from) must stay visible.
    await d.sh('mount --bind /var/tmp /var/tmp && mount -o remount,bind,ro /var/tmp');
    const r = await d.exec(['edge-agent', 'support-bundle']);
    expect(r.exitCode).toBe(74);
    expect(r.stderr).toContain('/var/tmp is not writable (EROFS): the bundle is written there');
    expect(r.stdout).toBe('');
  });

  it('refuses --upload without a hub service with the key to set, exit 78, before collecting', async () => {
    const d = await plantedDevice('hub:\n  url: mqtts://hub.example.com:8883\n  deviceId: device-a\n');
    const r = await d.exec(['edge-agent', 'support-bundle', '--upload']);
    expect(r.exitCode).toBe(78);
    expect(r.stderr).toContain(
      '/etc/edge-agent/config.yaml: hubService.url: --upload needs a hub service, and none is configured; expected hubService.url',
    );
    expect(await d.sh('ls /var/tmp | grep -c edge-agent-support || true')).toBe('0\n');
  });

  it('is made with a broken config: the problem named, its secret redacted, the record files as history', async () => {
    const d = await plantedDevice(`${deviceConfig()}notAKey:\n  token: planted-token-in-a-typo\n`);
    await d.writeFile('/var/lib/edge-agent/boots/0123abcd.json', '{"schema":1,"bootId":"0123abcd"}\n');
    const { exitCode, stderr, result } = await bundle(d);
    expect(stderr).toBe('');
    expect(exitCode).toBe(0);
    const files = await extract(d, result.path);
    expect(files.get('config/problems.txt')).toContain('notAKey');
    expect(files.get('config/config.yaml.redacted.yaml')).toContain('token: "***"');
    const history = result.items.find((i) => i.name === 'history.json');
    expect(history?.exit).toBe(78);
    expect(history?.note).toMatch(/^history failed: the 1 record files of \/var\/lib\/edge-agent\/boots follow$/);
    expect(files.get('history.json')).toContain(
      '=== /var/lib/edge-agent/boots/0123abcd.json\n{"schema":1,"bootId":"0123abcd"}',
    );
    for (const [name, text] of files) expect(text.includes('planted-token-in-a-typo'), name).toBe(false);
  }, 120_000);

  it('refuses a bad cap value naming the flag, exit 64', async () => {
    const d = await plantedDevice();
    const r = await d.exec(['edge-agent', 'support-bundle', '--max-mb', 'lots']);
    expect(r.exitCode).toBe(64);
    expect(r.stderr).toContain("--max-mb: expected a whole number from 1 to 1024, got 'lots'");
  });
});

/**
 * A TCP proxy to `port` that drops its connection once, when `cutAfter` bytes in all have gone
 * upstream: the service gets part of a chunk, the client a reset.
 */
async function droppingProxy(port: number, cutAfter: number): Promise<{ port: number; cuts: () => number }> {
  let cuts = 0;
  let sent = 0;
  const server: Server = createServer((client: Socket) => {
    const upstream = connect(port, '127.0.0.1');
    client.on('data', (data: Buffer) => {
      if (cuts === 0 && sent + data.length > cutAfter) {
        upstream.write(data.subarray(0, cutAfter - sent));
        cuts++;
        // Let the partial chunk reach the service, then drop both sides as a lost link would.
        setTimeout(() => {
          client.destroy();
          upstream.destroy();
        }, 200);
        return;
      }
      sent += data.length;
      upstream.write(data);
    });
    upstream.on('data', (data: Buffer) => client.write(data));
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { port: (server.address() as { port: number }).port, cuts: () => cuts };
}

describe('support-bundle --upload', () => {
  it('uploads to a real hub service in chunks and resumes after a connection dropped mid-chunk', async () => {
    const { startUploadHub } = await import('../harness/bundle-hub.js');
    const hub = await startUploadHub({ token: API_TOKEN, knownDevice: 'device-a' });
    cleanups.push(hub.close);
    const proxy = await droppingProxy(hub.port, 6000);
    const d = await plantedDevice(deviceConfig(`http://127.0.0.1:${proxy.port}`));
    // Journal lines that do not compress, so the bundle spans many 4 KiB chunks.
    await d.sh(
      "systemd-run --wait --quiet -p LogRateLimitIntervalSec=0 --unit=edge-agent-noise sh -c 'head -c 60000 /dev/urandom | base64' && journalctl --sync",
    );
    const { exitCode, stderr, result } = await bundle(d, '--upload', '--chunk-kb', '4');
    expect(stderr).toBe('');
    expect(exitCode).toBe(0);
    expect(result.bytes).toBeGreaterThan(8 * 4096);
    expect(proxy.cuts()).toBe(1);
    expect(result.upload?.retries).toBeGreaterThanOrEqual(1);
    // The service kept the partial chunk: the upload went on from an offset inside a chunk.
    expect(result.upload?.resumedAt.some((offset) => offset % 4096 !== 0)).toBe(true);
    const stored = await readFile(join(hub.bundlesDir, 'device-a', `${result.sha256}.tar.gz`));
    expect(createHash('sha256').update(stored).digest('hex')).toBe(result.sha256);
    expect((await stat(join(hub.bundlesDir, 'device-a', `${result.sha256}.tar.gz`))).mode & 0o777).toBe(0o600);
  }, 180_000);

  it('names the device the hub does not know, exit 69', async () => {
    const { startUploadHub } = await import('../harness/bundle-hub.js');
    const hub = await startUploadHub({ token: API_TOKEN, knownDevice: 'device-a' });
    cleanups.push(hub.close);
    const d = await plantedDevice(deviceConfig(`http://127.0.0.1:${hub.port}`, 'device-unknown'));
    const r = await d.exec(['edge-agent', 'support-bundle', '--upload']);
    expect(r.exitCode).toBe(69);
    expect(r.stderr).toMatch(/bundles\/[0-9a-f]{64}: HTTP 404 not-found: no device device-unknown/);
    // The bundle was made before the upload failed: its path is still given.
    expect(r.stdout).toMatch(/^\/var\/tmp\/edge-agent-support-.*\.tar\.gz\nsha256 [0-9a-f]{64}\n/);
  });
});
