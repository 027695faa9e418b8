// `edge-agent fleet` against a real broker with three simulated devices: one fine, one red that
// dropped events, one gone offline. Problems come first; --json, --state and --watch work; the
// bundled CLI gives the same rows; a key that does not match its certificate is a configuration
// error naming both files.
import { execa } from 'execa';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../agent/commands/fleet/fleet.js';
import type { Deps, Flags } from '../../agent/commands/types.js';
import type { FleetRow } from '../../agent/core/hub/fleet.js';
import { ConfigError, UsageError, type AgentError } from '../../agent/errors.js';
import { ExitCode } from '../../agent/exit-codes.js';
import { createHost } from '../../agent/host/host.js';
import { createLogger } from '../../agent/host/log.js';
import { agentDist } from '../harness/agent-build.js';
import { createTestSink, startBroker, subscribe, type TestBroker, type TestSink } from '../harness/mosquitto.js';

let broker: TestBroker;
const sinks: TestSink[] = [];

beforeAll(async () => {
  broker = await startBroker();
  const watcher = await subscribe(broker, ['edge/v1/+/status', 'edge/v1/+/online']);
  const booted = { version: '9.4.20240612.0', checksum: '3f1c2e9a7b4d' };

  const a = await createTestSink(broker, { as: 'device-a' });
  a.sink.publishStatus({ verdict: 'green', booted, attempt: { n: 1, max: 3 }, journalPersistent: true });

  const b = await createTestSink(broker, { as: 'device-b', limits: { maxBytes: 1 << 20, maxEvents: 5 }, start: false });
  for (let i = 0; i < 7; i += 1)
    await b.sink.report('check-failed', { check: 'microshift', class: 'required', reason: 'workloads-not-ready' });
  b.sink.publishStatus({
    verdict: 'red',
    booted: { version: '9.4.20240701.0', checksum: 'a9e8d7c6b5a4' },
    attempt: { n: 2, max: 3 },
    rollback: {
      at: '2024-06-30T10:00:00.000Z',
      from: { version: '9.4.20240630.0', checksum: '0b1c2d3e4f5a' },
      to: booted,
      reason: 'microshift: workloads-not-ready',
    },
  });
  b.sink.start();

  const c = await createTestSink(broker, { as: 'device-c' });
  c.sink.publishStatus({ verdict: 'green', booted });
  sinks.push(a, b);
  await watcher.until(
    (m) =>
      ['device-a', 'device-b', 'device-c'].every((d) => m.some((x) => x.topic === `edge/v1/${d}/status`)) &&
      m.some((x) => x.topic === 'edge/v1/device-b/status' && x.payload.includes('"dropped":2')),
  );
  await c.close();
  await watcher.until((m) => m.some((x) => x.topic === 'edge/v1/device-c/online' && x.payload === 'offline'));
  await watcher.close();
});

afterAll(async () => {
  for (const sink of sinks) await sink.close({ timeoutMs: 1000 });
  await broker?.cleanup();
});

async function fleet(extra: Flags = {}, signal = new AbortController().signal): Promise<{ code: number; out: string }> {
  const reader = broker.client('fleet-reader');
  let out = '';
  const deps: Deps = {
    host: createHost(),
    config: undefined as never,
    log: createLogger({ write: () => undefined }),
    signal,
    out: (text) => (out += text),
  };
  const code = await main(
    { flags: { broker: broker.url, ca: broker.ca, cert: reader.cert, key: reader.key, ...extra }, positionals: [] },
    deps,
  );
  return { code, out };
}

describe('edge-agent fleet', () => {
  it('lists every device, problems first (--json)', async () => {
    const { code, out } = await fleet({ json: true });
    expect(code).toBe(0);
    const rows = JSON.parse(out) as FleetRow[];
    expect(rows.map((r) => [r.id, r.online, r.verdict])).toEqual([
      ['device-c', 'offline', 'green'],
      ['device-b', 'online', 'red'],
      ['device-a', 'online', 'green'],
    ]);
    expect(rows[1]).toMatchObject({
      booted: '9.4.20240701.0',
      attempt: '2/3',
      dropped: 2,
      queued: 0,
      lastRollback: { from: '9.4.20240630.0', to: '9.4.20240612.0', reason: 'microshift: workloads-not-ready' },
      problems: ['boot red', '2 events dropped'],
    });
    expect(rows[2]).toMatchObject({ booted: '9.4.20240612.0', problems: [] });
    expect(Date.parse(rows[2]!.since!)).toBeGreaterThan(Date.now() - 60_000);
    expect(rows[0]!.problems).toEqual(['offline']);
  });

  it('prints a table, filtered by --state and sorted by --sort', async () => {
    const table = (await fleet()).out.split('\n');
    expect(table[0]).toMatch(/^DEVICE\s+ONLINE/);
    expect(table.slice(1, 4).map((l) => l.split(/\s+/)[0])).toEqual(['device-c', 'device-b', 'device-a']);
    expect(table[2]).toMatch(
      /^device-b\s+online\s+\S+ ago\s+9\.4\.20240701\.0\s+red \(2\/3\)\s+9\.4\.20240630\.0 -> 9\.4\.20240612\.0 \S+ ago\s+0\s+2\s+\S+ ago$/,
    );
    const red = (await fleet({ state: 'red' })).out;
    expect(red).toContain('device-b');
    expect(red).not.toMatch(/device-[ac]/);
    const byId = JSON.parse((await fleet({ json: true, sort: 'id' })).out) as FleetRow[];
    expect(byId.map((r) => r.id)).toEqual(['device-a', 'device-b', 'device-c']);
  });

  it('--watch renders in place until interrupted', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const run = fleet({ watch: true }, controller.signal);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    controller.abort('SIGINT');
    const { code, out } = await run;
    expect(code).toBe(0);
    expect(out.startsWith('\x1b[H\x1b[2J')).toBe(true);
    expect(out).toContain('device-b');
    expect(out).toMatch(/Ctrl-C to stop/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it.each<[Flags, RegExp]>([
    [{ broker: undefined }, /--broker URL is required/],
    [{ sort: 'age' }, /--sort age: expected one of state, id, seen/],
    [{ state: 'sad' }, /--state sad: expected one of/],
    [{ broker: 'mqtt://127.0.0.1:1' }, /--broker: plain mqtt:\/\//],
  ])('refuses %o', async (flags, message) => {
    await expect(fleet(flags)).rejects.toThrow(message);
    await expect(fleet(flags)).rejects.toSatisfy((e) => e instanceof UsageError || (e as Error).name === 'ConfigError');
  });

  it('fails with exit 69 and one line when the broker is unreachable', async () => {
    const reader = broker.client('fleet-reader');
    const result = await execa(
      'node',
      [
        join(agentDist, 'cli.js'),
        'fleet',
        '--broker',
        'mqtts://127.0.0.1:1',
        '--ca',
        broker.ca,
        '--cert',
        reader.cert,
        '--key',
        reader.key,
      ],
      { reject: false },
    );
    expect(result.exitCode).toBe(69);
    expect(result.stderr).toMatch(/^edge-agent fleet: cannot connect to mqtts:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/);
  });

  it('a key that does not belong to the certificate: configuration error (78) naming both files', async () => {
    const reader = broker.client('fleet-reader');
    const other = broker.client('device-a');
    const error = await fleet({ key: other.key }).then(
      () => undefined,
      (e: unknown) => e as AgentError,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.exitCode).toBe(ExitCode.Config);
    expect(error?.message).toBe(
      `${other.key}: --key: this private key does not belong to the certificate ${reader.cert} (--cert); expected the private key that ${reader.cert} was issued for`,
    );

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
        other.key,
      ],
      { reject: false },
    );
    expect(result.exitCode).toBe(ExitCode.Config);
    expect(result.stderr).toContain(
      `${other.key}: --key: this private key does not belong to the certificate ${reader.cert}`,
    );
    expect(result.stderr).not.toMatch(/PRIVATE KEY|internal error/);
  });

  it('a key file that holds no key: configuration error naming the file', async () => {
    const junk = join(broker.dir, 'junk.key');
    await writeFile(junk, 'not a key\n', { mode: 0o600 });
    await expect(fleet({ key: junk })).rejects.toThrow(
      new RegExp(
        `^${junk.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: --key: not a PEM private key \\(.+\\); expected an unencrypted PEM private key \\(-----BEGIN PRIVATE KEY-----\\)$`,
      ),
    );
  });

  it('the bundled CLI shows a flag value with escape sequences escaped in its error', async () => {
    const result = await execa(
      'node',
      [join(agentDist, 'cli.js'), 'fleet', '--broker', broker.url, '--sort', '\x1b]0;owned\x07\x1b[2J'],
      { reject: false },
    );
    expect(result.exitCode).toBe(ExitCode.Usage);
    expect(result.stderr).toBe('edge-agent fleet: --sort \\x1b]0;owned\\x07\\x1b[2J: expected one of state, id, seen');
  });

  it('the bundled CLI prints the same rows', async () => {
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
    expect((JSON.parse(result.stdout) as FleetRow[]).map((r) => r.id)).toEqual(['device-c', 'device-b', 'device-a']);
  });
});
