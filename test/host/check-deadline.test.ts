// `edge-agent check --class required` as a real process against a D-Bus that accepts connections
// and never answers a byte: the check would wait its whole 600 s budget (and a read stuck in the
// kernel would wait forever). The process-wide deadline, shortened for the test through
// EDGE_AGENT_TEST_DEADLINE_MS (a knob for tests only), must end it with exit 1 and a line saying
// which phase it was stuck in.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const repoRoot = resolve(import.meta.dirname, '../..');
const cleanups: (() => void | Promise<void>)[] = [];

afterEach(async () => {
  for (const clean of cleanups.splice(0).reverse()) await clean();
});

/** A root with the boot facts the check reads, and a D-Bus socket that never answers. */
async function silentBusRoot() {
  const root = mkdtempSync(join(tmpdir(), 'edge-agent-deadline-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  const files: Record<string, string> = {
    '/proc/sys/kernel/random/boot_id': '0123456789abcdef0123456789abcdef\n',
    '/proc/uptime': '100.00 50.00\n',
    '/proc/stat': 'btime 1700000000\n',
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => void sockets.push(socket));
  const busPath = join(root, 'silent-bus');
  await new Promise<void>((done) => server.listen(busPath, done));
  cleanups.push(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((done) => server.close(() => done()));
  });
  return { root, busPath, connections: () => sockets.length };
}

function runCheck(root: string, busPath: string, deadlineMs: number) {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'agent/cli.ts', 'check', '--class', 'required'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      EDGE_AGENT_ROOT: root,
      DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${busPath}`,
      EDGE_AGENT_TEST_DEADLINE_MS: String(deadlineMs),
      EDGE_AGENT_LOG_FORMAT: 'text',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Never left behind if an assertion fails first.
  cleanups.push(() => void child.kill('SIGKILL'));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.resume();
  return new Promise<{ code: number | null; stderr: string; seconds: number }>((done) =>
    child.on('exit', (code) => done({ code, stderr, seconds: (performance.now() - started) / 1000 })),
  );
}

describe('check --class required with a deadline', () => {
  it('stuck asking systemd for microshift.service while gathering the boot context: exit 1 at the deadline, phase named', async () => {
    const { root, busPath, connections } = await silentBusRoot();
    // 2 s is shorter than one D-Bus call's own 5 s limit: the deadline catches the call itself.
    const { code, stderr, seconds } = await runCheck(root, busPath, 2000);
    expect(connections()).toBeGreaterThan(0);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /deadline passed after 2(\.\d)? s \(limit 2 s: EDGE_AGENT_TEST_DEADLINE_MS\) while gathering the boot context/,
    );
    // Node's start-up plus 2 s plus the bounded log flush; far below the 600 s budget it would wait.
    expect(seconds).toBeLessThan(20);
  }, 60_000);

  it('armed before the configuration is loaded: a 1 ms deadline catches the config phase', async () => {
    const { root, busPath } = await silentBusRoot();
    // Loading the config module alone takes longer than 1 ms, and it is awaited: the timer fires there.
    const { code, stderr } = await runCheck(root, busPath, 1);
    expect(code).toBe(1);
    expect(stderr).toContain(
      '(limit 0 s: EDGE_AGENT_TEST_DEADLINE_MS) while loading the configuration: giving up with a failing verdict (exit 1)',
    );
  }, 60_000);

  it('stuck in the MicroShift check (systemd never answers): exit 1 at the deadline, the check still running named', async () => {
    const { root, busPath } = await silentBusRoot();
    const { code, stderr, seconds } = await runCheck(root, busPath, 9000);
    expect(code).toBe(1);
    expect(stderr).toContain(
      'while running checks, still waiting for: microshift: giving up with a failing verdict (exit 1)',
    );
    expect(seconds).toBeGreaterThanOrEqual(9);
    expect(seconds).toBeLessThan(30);
  }, 60_000);
});
