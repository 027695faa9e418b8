// Checks users declare in /etc/edge-agent/config.yaml, run by `edge-agent check` on a virtual
// edge host: each kind passes when its target is healthy and fails (at once when the state is
// final, at its timeout otherwise) when it is not, with a message that names what was seen.
// The device has its own network namespace, so the servers inside can use fixed loopback ports.
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BootRecord } from '../../agent/core/boot-record.js';
import type { CheckResult } from '../../agent/core/check-result.js';
import { bootEdgeDevice } from '../harness/edge-device.js';
import { simCerts } from '../harness/microshift/certs.js';
import { scenario } from '../harness/microshift/scenario.js';
import type { VirtualDevice } from '../harness/vdev.js';

const HTTP_PORT = 8080;
const HTTPS_PORT = 8443;
const CLOSED_PORT = 8099;
// Checks expected to time out get the smallest timeout config allows.
const SHORT = 1;

interface CheckRun {
  exitCode: number;
  stderr: string;
  bootId: string;
  dryRun: boolean;
  verdict: 'pass' | 'fail';
  results: CheckResult[];
}

/** Write the config, run `edge-agent check` inside the device, parse its --json output. */
async function runCheck(device: VirtualDevice, config: object, args = ['--dry-run']): Promise<CheckRun> {
  await device.writeFile('/etc/edge-agent/config.yaml', stringify(config));
  const result = await device.exec(['edge-agent', 'check', '--json', ...args]);
  let parsed: Omit<CheckRun, 'exitCode' | 'stderr'>;
  try {
    parsed = JSON.parse(result.stdout) as typeof parsed;
  } catch {
    throw new Error(`edge-agent check exited ${result.exitCode} without JSON:\n${result.stdout}\n${result.stderr}`);
  }
  return { ...parsed, exitCode: result.exitCode, stderr: result.stderr };
}

function resultOf(run: CheckRun, id: string): CheckResult {
  const result = run.results.find((r) => r.id === id);
  if (!result) throw new Error(`no result for ${id} in ${JSON.stringify(run.results.map((r) => r.id))}`);
  return result;
}

/** Start a long-running server inside the device as a transient unit and wait until it answers. */
async function serve(device: VirtualDevice, unit: string, argv: string[], probe: string): Promise<void> {
  await device.sh(`systemd-run --quiet --unit=${unit} --property=WorkingDirectory=/srv/www ${argv.join(' ')}`);
  // Bounded by time, not by a number of tries: on a busy machine each probe itself is slow.
  await device.sh(
    `end=$((SECONDS + 60)); until ${probe}; do [ $SECONDS -lt $end ] || { echo '${unit} never answered' >&2; exit 1; }; sleep 0.1; done`,
  );
}

describe('declared checks on an edge host without MicroShift', () => {
  let device: VirtualDevice;

  beforeAll(async () => {
    device = await bootEdgeDevice({ name: 'declared', network: true, boot: false });
    const certs = await simCerts();
    await device.writeFile('/srv/www/healthz', 'ok\n');
    await device.writeFile('/etc/edge-test/ca.crt', certs.ca);
    await device.writeFile('/etc/edge-test/server.crt', certs.serverCert);
    await device.writeFile('/etc/edge-test/server.key', certs.serverKey, 0o600);
    await device.writeFile(
      '/srv/https.py',
      [
        'import http.server, ssl',
        `httpd = http.server.HTTPServer(("127.0.0.1", ${HTTPS_PORT}), http.server.SimpleHTTPRequestHandler)`,
        'ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)',
        'ctx.load_cert_chain("/etc/edge-test/server.crt", "/etc/edge-test/server.key")',
        'httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)',
        'httpd.serve_forever()',
        '',
      ].join('\n'),
    );
    await serve(
      device,
      'edge-test-http.service',
      ['/usr/bin/python3', '-m', 'http.server', String(HTTP_PORT), '--bind', '127.0.0.1'],
      `curl -sf -o /dev/null http://127.0.0.1:${HTTP_PORT}/healthz`,
    );
    await serve(
      device,
      'edge-test-https.service',
      ['/usr/bin/python3', '/srv/https.py'],
      `curl -sf -o /dev/null --cacert /etc/edge-test/ca.crt https://127.0.0.1:${HTTPS_PORT}/healthz`,
    );
    await device.installUnit(
      'edge-test-fails.service',
      '[Service]\nType=oneshot\nExecStart=/bin/sh -c "sleep 2; exit 1"\n',
    );
  }, 180_000);

  afterAll(async () => {
    await device?.dispose();
  });

  describe('unit', () => {
    it('passes for an active unit', async () => {
      const run = await runCheck(device, {
        checks: [{ id: 'web', kind: 'unit', unit: 'edge-test-http.service', timeoutSec: 30 }],
      });
      expect(run.exitCode).toBe(0);
      expect(resultOf(run, 'web')).toMatchObject({
        class: 'required',
        outcome: 'pass',
        reason: 'ok',
        message: 'unit edge-test-http.service active: active/running',
      });
      expect(run.stderr).toContain("Check 'web' (required) SUCCESS");
    });

    it('fails as soon as the unit fails, long before its timeout', async () => {
      await device.sh(
        'systemctl reset-failed edge-test-fails.service 2>/dev/null; systemctl start --no-block edge-test-fails.service',
      );
      const run = await runCheck(device, {
        checks: [{ id: 'job', kind: 'unit', unit: 'edge-test-fails.service', timeoutSec: 30 }],
      });
      const result = resultOf(run, 'job');
      expect(run.exitCode).toBe(1);
      expect(result).toMatchObject({
        outcome: 'fail',
        reason: 'unit-failed',
        message: 'unit edge-test-fails.service active: failed/failed',
        observation: { activeState: 'failed' },
      });
      // The unit runs for 2 s before it fails; the check must not sit out its 30 s (half of it
      // leaves a busy machine room to start the unit late).
      expect(result.durationMs).toBeLessThan(15_000);
      expect(run.stderr).toContain("Check 'job' (required) FAILURE");
    });

    it('times out for a unit that does not exist, saying so', async () => {
      const run = await runCheck(device, {
        checks: [{ id: 'ghost', kind: 'unit', unit: 'no-such-thing.service', timeoutSec: SHORT }],
      });
      const result = resultOf(run, 'ghost');
      expect(run.exitCode).toBe(1);
      expect(result).toMatchObject({
        outcome: 'timeout',
        reason: 'unit-timeout',
        message: 'unit no-such-thing.service active not reached within 1s: unit not found',
      });
      expect(result.durationMs).toBeGreaterThanOrEqual(1000);
      // Ends at its timeout, give or take a busy machine's scheduling.
      expect(result.durationMs).toBeLessThan(10_000);
    });
  });

  describe('http', () => {
    it.each([
      ['plain http, expected status', { url: `http://127.0.0.1:${HTTP_PORT}/healthz` }, 'HTTP 200'],
      ['another expected status', { url: `http://127.0.0.1:${HTTP_PORT}/missing`, expectStatus: 404 }, 'HTTP 404'],
      [
        'https with the CA option',
        { url: `https://127.0.0.1:${HTTPS_PORT}/healthz`, ca: '/etc/edge-test/ca.crt' },
        'HTTP 200',
      ],
      [
        'https, verification skipped',
        { url: `https://127.0.0.1:${HTTPS_PORT}/healthz`, insecureSkipVerify: true },
        'HTTP 200',
      ],
    ])('passes: %s', async (_name, options, detail) => {
      const run = await runCheck(device, { checks: [{ id: 'web', kind: 'http', timeoutSec: 30, ...options }] });
      expect(run.exitCode).toBe(0);
      expect(resultOf(run, 'web')).toMatchObject({
        outcome: 'pass',
        reason: 'ok',
        message: expect.stringMatching(new RegExp(`: ${detail}$`)),
      });
    });

    it.each([
      ['a wrong status', { url: `http://127.0.0.1:${HTTP_PORT}/missing` }, 'HTTP 404'],
      ['nothing listening', { url: `http://127.0.0.1:${CLOSED_PORT}/` }, 'ECONNREFUSED'],
      [
        'https signed by an unknown CA',
        { url: `https://127.0.0.1:${HTTPS_PORT}/healthz` },
        'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      ],
    ])('times out on %s, naming the last answer', async (_name, options, detail) => {
      const run = await runCheck(device, { checks: [{ id: 'web', kind: 'http', timeoutSec: SHORT, ...options }] });
      const result = resultOf(run, 'web');
      expect(run.exitCode).toBe(1);
      expect(result).toMatchObject({
        outcome: 'timeout',
        reason: 'http-timeout',
        message: `GET ${options.url} answering 200 not reached within 1s: ${detail}`,
      });
      expect(result.durationMs).toBeGreaterThanOrEqual(1000);
    });

    it('fails at once when the CA file does not exist', async () => {
      const run = await runCheck(device, {
        checks: [
          {
            id: 'web',
            kind: 'http',
            url: `https://127.0.0.1:${HTTPS_PORT}/healthz`,
            ca: '/etc/edge-test/nope.crt',
            timeoutSec: 30,
          },
        ],
      });
      const result = resultOf(run, 'web');
      expect(run.exitCode).toBe(1);
      expect(result).toMatchObject({
        outcome: 'fail',
        reason: 'http-failed',
        message: expect.stringContaining('CA file /etc/edge-test/nope.crt does not exist'),
      });
      // Far short of its 30 s timeout, with room for a busy machine.
      expect(result.durationMs).toBeLessThan(15_000);
    });
  });

  describe('tcp', () => {
    it('passes when the port accepts connections', async () => {
      const run = await runCheck(device, {
        checks: [{ id: 'port', kind: 'tcp', host: '127.0.0.1', port: HTTP_PORT, timeoutSec: 30 }],
      });
      expect(run.exitCode).toBe(0);
      expect(resultOf(run, 'port')).toMatchObject({
        outcome: 'pass',
        message: `TCP 127.0.0.1:${HTTP_PORT} accepting connections: connected`,
      });
    });

    it('times out when the port is closed, naming the refusal', async () => {
      const run = await runCheck(device, {
        checks: [{ id: 'port', kind: 'tcp', host: '127.0.0.1', port: CLOSED_PORT, timeoutSec: SHORT }],
      });
      expect(run.exitCode).toBe(1);
      expect(resultOf(run, 'port')).toMatchObject({
        outcome: 'timeout',
        reason: 'tcp-timeout',
        message: `TCP 127.0.0.1:${CLOSED_PORT} accepting connections not reached within 1s: ECONNREFUSED`,
      });
    });
  });

  describe('command', () => {
    it.each([
      ['/bin/true', { command: ['/bin/true'] }, { exitCode: 0, output: '' }],
      ['an expected non-zero exit', { command: ['/bin/sh', '-c', 'exit 3'], expectExit: 3 }, { exitCode: 3 }],
    ])('passes: %s', async (_name, options, observation) => {
      const run = await runCheck(device, { checks: [{ id: 'cmd', kind: 'command', timeoutSec: 30, ...options }] });
      expect(run.exitCode).toBe(0);
      expect(resultOf(run, 'cmd')).toMatchObject({ outcome: 'pass', reason: 'ok', observation });
    });

    it('fails at once with the exit code and what the command printed', async () => {
      const run = await runCheck(device, {
        checks: [
          {
            id: 'cmd',
            kind: 'command',
            command: ['/bin/sh', '-c', 'echo starting; echo boom >&2; exit 3'],
            timeoutSec: 30,
          },
        ],
      });
      const result = resultOf(run, 'cmd');
      expect(run.exitCode).toBe(1);
      expect(result).toMatchObject({
        outcome: 'fail',
        reason: 'command-failed',
        message: 'command /bin/sh -c echo starting; echo boom >&2; exit 3 exited 3: boom',
        observation: { exitCode: 3, output: 'starting\nboom' },
      });
      // Far short of its 30 s timeout, with room for a busy machine.
      expect(result.durationMs).toBeLessThan(15_000);
    });

    it('times out a command that runs beyond its timeout', async () => {
      const run = await runCheck(device, {
        checks: [{ id: 'cmd', kind: 'command', command: ['/bin/sleep', '30'], timeoutSec: 1 }],
      });
      const result = resultOf(run, 'cmd');
      expect(run.exitCode).toBe(1);
      expect(result).toMatchObject({
        outcome: 'timeout',
        reason: 'command-timeout',
        message: 'command /bin/sleep 30 did not finish within 1s',
      });
      expect(result.durationMs).toBeGreaterThanOrEqual(1000);
      // Stopped at its timeout, long before sleep 30 would end, give or take a busy machine.
      expect(result.durationMs).toBeLessThan(10_000);
    });

    it('fails a command that cannot be started, saying why', async () => {
      const run = await runCheck(device, {
        checks: [{ id: 'cmd', kind: 'command', command: ['/usr/local/bin/not-installed'], timeoutSec: 5 }],
      });
      expect(run.exitCode).toBe(1);
      expect(resultOf(run, 'cmd')).toMatchObject({
        outcome: 'fail',
        reason: 'command-failed',
        message: expect.stringMatching(/exited 127: cannot run \/usr\/local\/bin\/not-installed: .*ENOENT/),
      });
    });
  });

  it('skips a declared check named in disabledChecks and passes', async () => {
    const run = await runCheck(device, {
      checks: [{ id: 'broken', kind: 'command', command: ['/bin/false'], timeoutSec: 5 }],
      disabledChecks: ['broken'],
    });
    expect(run.exitCode).toBe(0);
    expect(resultOf(run, 'broken')).toMatchObject({
      outcome: 'skipped',
      reason: 'disabled',
      message: 'broken is disabled by configuration',
    });
  });

  it('records nothing on --dry-run; a normal run writes this boot record', async () => {
    const config = {
      checks: [{ id: 'web', kind: 'http', url: `http://127.0.0.1:${HTTP_PORT}/healthz`, timeoutSec: 30 }],
    };
    const listBoots = async () =>
      (await device.exec(['ls', '-A', '/var/lib/edge-agent/boots'])).stdout.split('\n').filter(Boolean);
    // The device's disk is an overlay of the host's /: start from no records at all.
    await device.sh('rm -rf /var/lib/edge-agent/boots');
    const dry = await runCheck(device, config);
    expect(dry).toMatchObject({ exitCode: 0, dryRun: true });
    expect(await listBoots()).toEqual([]);

    const real = await runCheck(device, config, []);
    expect(real).toMatchObject({ exitCode: 0, dryRun: false });
    const file = `${device.bootId.replaceAll('-', '')}.json`;
    expect(real.bootId).toBe(file.replace('.json', ''));
    expect(await listBoots()).toEqual([file]);
    const record = JSON.parse(await device.readFile(`/var/lib/edge-agent/boots/${file}`)) as BootRecord;
    expect(record.checks.required).toMatchObject({
      verdict: 'pass',
      results: [
        expect.objectContaining({ id: 'microshift', outcome: 'pass', reason: 'microshift-absent' }),
        expect.objectContaining({ id: 'web', outcome: 'pass' }),
      ],
    });
    expect(record.checks.wanted?.results.map((r) => r.id)).toContain('journal-persistent');
  });

  it('a declared wanted check that times out: exit 1 for --class wanted, recorded as a failed wanted run', async () => {
    const config = {
      wanted: { clockSyncRequired: false },
      checks: [{ id: 'plc', class: 'wanted', kind: 'tcp', host: '127.0.0.1', port: CLOSED_PORT, timeoutSec: SHORT }],
    };
    const run = await runCheck(device, config, ['--class', 'wanted']);
    expect(run.exitCode).toBe(1);
    expect(resultOf(run, 'plc')).toMatchObject({ class: 'wanted', outcome: 'timeout', reason: 'tcp-timeout' });
    const record = JSON.parse(
      await device.readFile(`/var/lib/edge-agent/boots/${device.bootId.replaceAll('-', '')}.json`),
    ) as BootRecord;
    expect(record.checks.wanted).toMatchObject({
      verdict: 'fail',
      results: expect.arrayContaining([expect.objectContaining({ id: 'plc', outcome: 'timeout' })]),
    });
  });
});

describe('declared workload checks with the simulated MicroShift', () => {
  let device: VirtualDevice;
  const workload = (name: string, resource: string, namespace: string, timeoutSec: number) => ({
    microshift: { check: 'off' },
    checks: [{ id: 'wl', kind: 'workload', namespace, resource, name, timeoutSec }],
  });

  beforeAll(async () => {
    device = await bootEdgeDevice({ name: 'declared-wl', network: true, boot: false, microshift: scenario('healthy') });
  }, 180_000);

  afterAll(async () => {
    await device?.dispose();
  });

  it('times out while the API is down, naming the connection problem', async () => {
    const run = await runCheck(device, workload('dns-default', 'DaemonSet', 'openshift-dns', SHORT));
    expect(run.exitCode).toBe(1);
    expect(resultOf(run, 'wl')).toMatchObject({
      outcome: 'timeout',
      reason: 'workload-timeout',
      message: expect.stringMatching(
        /^DaemonSet openshift-dns\/dns-default ready not reached within 1s: list daemonsets: connection refused at https:\/\/127\.0\.0\.1:\d+$/,
      ),
    });
  });

  it('passes once MicroShift is up and the DaemonSet is ready', async () => {
    await device.sh('systemctl start microshift.service');
    const run = await runCheck(device, workload('dns-default', 'DaemonSet', 'openshift-dns', 30));
    const result = resultOf(run, 'wl');
    expect(run.exitCode).toBe(0);
    expect(result).toMatchObject({
      outcome: 'pass',
      reason: 'ok',
      message: 'DaemonSet openshift-dns/dns-default ready: 1/1 available',
    });
    expect(result.durationMs).toBeLessThan(15_000);
  });

  it('times out for a Deployment that does not exist', async () => {
    const run = await runCheck(device, workload('my-app', 'Deployment', 'my-app', SHORT));
    expect(run.exitCode).toBe(1);
    expect(resultOf(run, 'wl')).toMatchObject({
      outcome: 'timeout',
      reason: 'workload-timeout',
      message: 'Deployment my-app/my-app ready not reached within 1s: not found',
    });
  });
});
