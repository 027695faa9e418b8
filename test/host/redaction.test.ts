// A broker URL with a password (mqtts://user:secret@host) never shows the password where
// edge-agent writes or logs it: /run/edge-agent/daemon.json (mode 0644, readable by every local
// user), `status` and `status --json`, the sink's journal lines and its connection errors. Against a real Mosquitto; the
// broker ignores the password (identity comes from the client certificate), so the URL works.
import { execa } from 'execa';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../agent/config/schema.js';
import { DAEMON_STATE_PATH } from '../../agent/core/daemon-state.js';
import { createDaemonTasks, type DaemonTaskDeps } from '../../agent/commands/run/daemon-tasks.js';
import { createHost } from '../../agent/host/host.js';
import { createLogger } from '../../agent/host/log.js';
import { agentDist } from '../harness/agent-build.js';
import { createTestSink, eventually, startBroker, type TestBroker } from '../harness/mosquitto.js';

const SECRET = 'hunter2-s3cret';
let broker: TestBroker;
let root: string;

beforeAll(async () => {
  broker = await startBroker();
  root = await mkdtemp(join(tmpdir(), 'edge-redaction-'));
});
afterAll(async () => {
  await broker?.cleanup();
  if (root) await rm(root, { recursive: true, force: true });
});

const withPassword = (url: string) => url.replace('://', `://edge:${SECRET}@`);

describe('daemon.json', () => {
  it('holds the broker URL with the password replaced by ***', async () => {
    const config = ConfigSchema.parse({ hub: { url: 'mqtts://edge:hunter2-s3cret@hub.example.com:8883' } });
    const host = createHost({ env: { EDGE_AGENT_ROOT: root } });
    const deps = {
      host,
      config,
      log: createLogger({ write: () => undefined }),
      signal: new AbortController().signal,
      out: () => undefined,
      records: undefined as never,
      cliPath: '',
    } satisfies DaemonTaskDeps;
    await createDaemonTasks(deps).writeState();
    const file = join(root, DAEMON_STATE_PATH);
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain(SECRET);
    expect((JSON.parse(text) as { hub: { broker: string } }).hub.broker).toBe('mqtts://edge:***@hub.example.com:8883');
    expect((await stat(file)).mode & 0o777).toBe(0o644);
  });
});

describe('edge-agent status (the bundled CLI)', () => {
  it('shows hub.url from config.yaml with the password replaced, as text and --json', async () => {
    const device = join(root, 'status-root');
    await mkdir(join(device, 'etc', 'edge-agent'), { recursive: true });
    await writeFile(
      join(device, 'etc', 'edge-agent', 'config.yaml'),
      `hub:\n  url: mqtts://edge:${SECRET}@hub.example.com:8883\n`,
    );
    const run = (...args: string[]) =>
      execa('node', [join(agentDist, 'cli.js'), 'status', ...args], {
        reject: false,
        env: { EDGE_AGENT_ROOT: device },
      });
    const [text, json] = await Promise.all([run(), run('--json')]);
    expect(text.stdout).toMatch(/Hub: mqtts:\/\/edge:\*\*\*@hub\.example\.com:8883/);
    expect((JSON.parse(json.stdout) as { agent: { hub: { broker: string } } }).agent.hub.broker).toBe(
      'mqtts://edge:***@hub.example.com:8883',
    );
    for (const result of [text, json]) expect(`${result.stdout}${result.stderr}`).not.toContain(SECRET);
  });
});

describe('the hub sink', () => {
  it('logs the connection without the password', async () => {
    const test = await createTestSink(broker, { as: 'device-a', hub: { url: withPassword(broker.url) } });
    try {
      await eventually(() => test.sink.state().connected, 10_000, 'connected');
      const logs = test.logs.join('\n');
      expect(logs).toContain(`connected to ${broker.url.replace('://', '://edge:***@')}`);
      expect(logs).not.toContain(SECRET);
    } finally {
      await test.close({ timeoutMs: 1000 });
    }
  });

  it('keeps the password out of connection errors', async () => {
    const test = await createTestSink(broker, { as: 'device-a', hub: { url: `mqtts://edge:${SECRET}@127.0.0.1:1` } });
    try {
      await eventually(() => test.sink.state().lastError !== undefined, 10_000, 'a connection error');
      const text = `${test.sink.state().lastError}\n${test.logs.join('\n')}`;
      expect(test.sink.state().lastError).toMatch(/^cannot connect to mqtts:\/\/edge:\*\*\*@127\.0\.0\.1:1: /);
      expect(text).not.toContain(SECRET);
    } finally {
      await test.close({ timeoutMs: 500 });
    }
  });
});
