// `edge-agent check` with bad input: broken config files, a garbage greenboot.conf, a missing or
// unreadable kubeconfig, a MicroShift API that errors, talks garbage or hangs. Never a crash:
// exit 78 with the file and key when the main config is unusable, warnings and defaults for
// everything else, and a MicroShift check that keeps waiting and, at its deadline, names the
// problem it saw.
import { execa } from 'execa';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChecks } from '../../agent/core/check-runner.js';
import type { CheckResult } from '../../agent/core/check-result.js';
import type { WorkloadRef } from '../../agent/core/microshift-observation.js';
import { STAGE_GRACE_MS } from '../../agent/core/microshift-check.js';
import { systemClock, type Clock } from '../../agent/host/clock.js';
import type { CheckDeps } from '../../agent/commands/check/check-deps.js';
import { lazy } from '../../agent/host/lazy.js';
import { createMicroShiftCheck } from '../../agent/commands/check/microshift.js';
import type { FileInfo, HostFs } from '../../agent/host/fs.js';
import { createLogger } from '../../agent/host/log.js';
import { createMicroShiftApi } from '../../agent/host/microshift-api.js';
import { NotRegularFileError } from '../../agent/errors.js';
import { FakeClock } from '../fakes/clock.js';
import { FakeExec } from '../fakes/exec.js';
import { aUnit, FakeSystemd } from '../fakes/systemd.js';
import { agentDist } from '../harness/agent-build.js';
import { createCerts, renderKubeconfig, simCerts, type SimCerts } from '../harness/microshift/certs.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixture = (path: string) => readFileSync(join(here, '..', 'fixtures', path), 'utf8');
const MAIN = '/etc/edge-agent/config.yaml';
const DROP_INS = '/etc/edge-agent/config.d';
const KUBECONFIG = '/var/lib/microshift/resources/kubeadmin/kubeconfig';

describe('the check command with bad files (host side, EDGE_AGENT_ROOT)', () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'edge-bad-input-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  /** A fresh host tree: boot facts, then the given files (path inside -> content). */
  async function layout(files: Record<string, string>): Promise<string> {
    const dir = join(root, randomUUID().slice(0, 8));
    const all = {
      '/proc/sys/kernel/random/boot_id': `${randomUUID()}\n`,
      '/proc/stat': 'cpu  1 2 3 4\nbtime 1717200000\n',
      ...files,
    };
    for (const [path, content] of Object.entries(all)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), content);
    }
    return dir;
  }

  async function agent(dir: string, ...args: string[]) {
    return agentWithEnv({}, dir, ...args);
  }

  async function agentWithEnv(extra: Record<string, string>, dir: string, ...args: string[]) {
    const result = await execa('node', [join(agentDist, 'cli.js'), ...args], {
      reject: false,
      extendEnv: false,
      // No system bus and no rpm-ostree here: both become warnings, never a crash.
      env: {
        PATH: '/usr/bin:/bin',
        HOME: dir,
        EDGE_AGENT_ROOT: dir,
        DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${dir}/run/dbus/system_bus_socket`,
        EDGE_AGENT_LOG_FORMAT: 'text',
        ...extra,
      },
      timeout: 30_000,
    });
    return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
  }

  it.each([
    ['a directory', (real: string) => mkdir(real, { recursive: true }), ' is a directory, expected a regular file'],
    [
      'a FIFO',
      async (real: string) => void (await execa('mkfifo', [real])),
      ' is a FIFO (named pipe), expected a regular file',
    ],
    [
      'truncated',
      (real: string) => writeFile(real, '# GRUB Environment Block\nboot_counter=0\n'),
      ': a GRUB environment block is 1024 bytes, this one is 40 (truncated or overwritten)',
    ],
  ])(
    'boot red with a grubenv that is %s: warns in the journal and the record that the pre-rollback cleanup is skipped, and why',
    async (_name, make, why) => {
      const dir = await layout({});
      await mkdir(join(dir, '/boot/grub2'), { recursive: true });
      await make(join(dir, '/boot/grub2/grubenv'));
      const red = await agent(dir, 'boot', 'red');
      expect(red.exitCode).toBe(0);
      const grubenv = join(dir, '/boot/grub2/grubenv');
      const reason = `${grubenv}${why}`;
      const lines = red.stderr.split('\n');
      expect(lines).toContain(`warning: grubenv: ${reason}`);
      expect(lines.filter((l) => l.includes('Pre-rollback'))).toEqual([
        `warning: Pre-rollback skipped: cannot tell whether the next boot is the rollback: the grubenv is unreadable (${reason}); MicroShift is not prepared for a rollback and no pre-rollback hook runs`,
      ]);
      const bootId = readFileSync(join(dir, '/proc/sys/kernel/random/boot_id'), 'utf8').trim().replaceAll('-', '');
      const boots = join(dir, '/var/lib/edge-agent/boots');
      const record = JSON.parse(
        readFileSync(join(boots, readdirSync(boots).find((name) => name.startsWith(bootId)) ?? 'none'), 'utf8'),
      ) as { verdict: string; actions: { id: string; outcome: string; message: string }[] };
      expect(record.verdict).toBe('red');
      expect(record.actions).toEqual([
        expect.objectContaining({ id: 'pre-rollback', outcome: 'skipped', message: expect.stringContaining(reason) }),
      ]);
    },
  );

  it('an unknown EDGE_AGENT_LOG_LEVEL: named with the levels it may be, and the command runs on at info', async () => {
    const dir = await layout({});
    const r = await agentWithEnv({ EDGE_AGENT_LOG_LEVEL: 'verbose' }, dir, 'history');
    expect(r.stderr).toContain(
      'warning: EDGE_AGENT_LOG_LEVEL: "verbose" is not a log level; expected one of fatal, error, warn, info, debug, trace, silent; logging at info',
    );
    expect(r.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
    expect(r.exitCode).toBe((await agent(dir, 'history')).exitCode);
  });

  it('a FIFO as config.yaml and as a drop-in: every command answers at once, naming it, none reads it', async () => {
    const dir = await layout({});
    await mkdir(join(dir, DROP_INS), { recursive: true });
    await execa('mkfifo', [join(dir, MAIN), join(dir, DROP_INS, '10-pipe.yaml')]);
    const validate = await agent(dir, 'config', 'validate');
    expect(validate.exitCode).toBe(78);
    expect(validate.stdout.split('\n').slice(0, 2)).toEqual([
      `error: ${MAIN}: not read: it is a FIFO (named pipe); expected a regular file`,
      `warning: ${DROP_INS}/10-pipe.yaml: not read: it is a FIFO (named pipe); expected a regular file`,
    ]);
    // Not YAML, so whether it declared checks is unknown: the required checks fail, at once.
    const check = await agent(dir, 'check', '--class', 'required', '--json');
    expect(check.exitCode).toBe(1);
    expect((JSON.parse(check.stdout) as { results: CheckResult[] }).results[0]).toMatchObject({
      id: 'config',
      outcome: 'fail',
    });
    const history = await agent(dir, 'history');
    expect([history.exitCode, history.stderr]).toEqual([
      78,
      `edge-agent history: ${MAIN}: not read: it is a FIFO (named pipe); expected a regular file`,
    ]);
    // status reads the config itself, and shows the red run of the check just above.
    const status = (await agent(dir, 'status')).stdout.replace(/\s+/g, ' ');
    expect(status).toContain(
      `! ${MAIN}: not read: it is a FIFO (named pipe); expected a regular file → edge-agent config validate`,
    );
    expect(status).toContain(
      `check 'config' failed: the declared checks in ${MAIN} cannot be read, so they cannot pass: ${MAIN}: not read: it is a FIFO (named pipe)`,
    );
  });

  // A broken main config.yaml must not make every boot red, nor let declared checks pass by not
  // running: the boot checks run on what can be salvaged (config/fallback.ts).
  it.each([
    ['malformed YAML that declares checks', 'config/malformed.yaml', [`${MAIN}: YAML syntax error at line 6, column `]],
    [
      'a wrong value inside the declared checks',
      'config/wrong-type.yaml',
      [`${MAIN}: checks[2].timeoutSec: line 12: wrong type (got "soon"); expected a number`],
    ],
  ])(
    'main config with %s: the required checks FAIL naming file, line and key (exit 1, not 78); config validate says the same',
    async (_name, file, starts) => {
      const dir = await layout({ [MAIN]: fixture(file) });
      const check = await agent(dir, 'check', '--class', 'required', '--json');
      expect(check.exitCode).toBe(1);
      const results = (JSON.parse(check.stdout) as { results: CheckResult[] }).results;
      expect(results[0]).toMatchObject({
        id: 'config',
        class: 'required',
        outcome: 'fail',
        reason: 'config-invalid',
        message: expect.stringContaining(
          `the declared checks in ${MAIN} cannot be read, so they cannot pass: ${starts[0]}`,
        ),
      });
      // The others are stopped at once: nothing waits minutes for a verdict already decided.
      expect(results.slice(1).every((r) => r.outcome === 'skipped')).toBe(true);
      const problems = check.stderr.split('\n').filter((l) => l.startsWith('error: /etc/'));
      expect(problems).toHaveLength(starts.length + 1);
      starts.forEach((start, i) => expect(problems[i]?.startsWith(`error: ${start}`)).toBe(true));
      expect(problems.at(-1)).toBe(
        `error: ${MAIN} is invalid: the boot checks run on ${file.includes('malformed') ? 'the defaults alone (nothing of the file could be used)' : 'defaults for checks'} (your declared checks cannot be read, so the required checks FAIL); fix it and run edge-agent config validate`,
      );

      const validate = await agent(dir, 'config', 'validate');
      expect(validate.exitCode).toBe(78);
      expect(validate.stdout.split('\n').filter((l) => l.startsWith('error: '))).toEqual(problems.slice(0, -1));
    },
  );

  it.each([
    [
      'a typo outside the checks, declared checks that pass',
      'checks:\n  - id: ok\n    kind: command\n    command: [/bin/true]\n',
      0,
      [['ok', 'pass']],
    ],
    [
      'a typo outside the checks, a declared check that fails',
      'checks:\n  - id: broken\n    kind: command\n    command: [/bin/false]\n',
      1,
      [['broken', 'fail']],
    ],
    ['a typo outside the checks, no declared checks', '', 0, []],
  ])(
    "main config with %s: the sound sections apply, the broken one gets its defaults, the verdict is the checks'",
    async (_name, checks, exitCode, outcomes) => {
      const dir = await layout({ [MAIN]: `microshift:\n  check: off\nlog:\n  levle: debug\n${checks}` });
      const check = await agent(dir, 'check', '--class', 'required', '--json');
      expect(check.exitCode).toBe(exitCode);
      const results = (JSON.parse(check.stdout) as { results: CheckResult[] }).results;
      expect(results.filter((r) => r.id !== 'microshift').map((r) => [r.id, r.outcome])).toEqual(outcomes);
      expect(results.find((r) => r.id === 'microshift')).toMatchObject({ outcome: 'skipped' });
      const errors = check.stderr.split('\n').filter((l) => l.startsWith('error: /etc/'));
      expect(errors[0]).toMatch(
        new RegExp(`^error: ${MAIN}: log\\.levle: line 4: unknown key \\(did you mean level\\?\\)`),
      );
      expect(errors[1]).toBe(
        `error: ${MAIN} is invalid: the boot checks run on defaults for log (${checks ? 'your declared checks run as written' : 'no declared checks'}); fix it and run edge-agent config validate`,
      );
      // The wanted run reports the broken file as a failed wanted check: shown by status and history.
      const wanted = await agent(dir, 'check', '--class', 'wanted', '--dry-run', '--timeout', '5', '--json');
      const config = (JSON.parse(wanted.stdout) as { results: CheckResult[] }).results.find((r) => r.id === 'config');
      expect(config).toMatchObject({
        class: 'wanted',
        outcome: 'fail',
        reason: 'config-invalid',
        message: expect.stringContaining(
          `${MAIN} is invalid; the checks ran with the defaults for log: ${MAIN}: log.levle`,
        ),
      });
    },
  );

  it('names the unknown key and the keys that would be right', async () => {
    const dir = await layout({ [MAIN]: fixture('config/unknown-key.yaml') });
    // The MicroShift check runs on its defaults (no system bus here: it cannot decide in 2 s).
    const check = await agent(dir, 'check', '--dry-run', '--timeout', '2');
    expect(check.stderr).toMatch(/restart_window_sec.*restartWindowSec/);
    expect(check.stderr).toContain(
      `error: ${MAIN} is invalid: the boot checks run on defaults for microshift (no declared checks)`,
    );
    expect(check.stdout).toMatch(/microshift.*not decided within --timeout 2s/);
  });

  it('a broken drop-in is a warning: the check still runs with the rest of the config', async () => {
    const dir = await layout({
      [MAIN]: fixture('checks/config-command.yaml'),
      [`${DROP_INS}/50-team.yaml`]: fixture('checks/drop-in-wrong-type.yaml'),
    });
    const check = await agent(dir, 'check', '--class', 'required', '--dry-run', '--json');
    expect(check.exitCode).toBe(0);
    const warnings = check.stderr.split('\n').filter((l) => l.includes('50-team.yaml'));
    expect(warnings).toEqual([
      `warning: ${DROP_INS}/50-team.yaml: checks[0].command: line 5: wrong type (got "/bin/false"); expected a list`,
      `warning: ${DROP_INS}/50-team.yaml: drop-in skipped: none of its settings are applied`,
    ]);
    const results = (JSON.parse(check.stdout) as { results: CheckResult[] }).results;
    expect(results.map((r) => [r.id, r.outcome])).toEqual([
      ['microshift', 'skipped'],
      ['always-true', 'pass'],
    ]);

    const validate = await agent(dir, 'config', 'validate');
    expect(validate.exitCode).toBe(0);
    expect(validate.stdout.split('\n').filter((l) => l.startsWith('warning: '))).toEqual(warnings);
  });

  it('a greenboot.conf full of garbage: warnings with line numbers, default budget, the check runs', async () => {
    const dir = await layout({
      [MAIN]: fixture('checks/config-command.yaml'),
      '/etc/greenboot/greenboot.conf': fixture('checks/greenboot-garbage.conf'),
    });
    const check = await agent(dir, 'check', '--class', 'required', '--dry-run');
    expect(check.exitCode).toBe(0);
    const conf = check.stderr.split('\n').filter((l) => l.startsWith('warning: /etc/greenboot/greenboot.conf:'));
    expect(conf.map((l) => Number(/greenboot\.conf:(\d+):/.exec(l)?.[1]))).toEqual([4, 5, 6, 7, 8]);
    expect(check.stderr).toContain(
      "warning: GREENBOOT_MAX_BOOT_ATTEMPTS value 'many' is not in the [1..9] range: using '3' instead",
    );
    expect(check.stderr).toContain(
      "warning: Could not parse MICROSHIFT_WAIT_TIMEOUT_SEC value '0600': using '600' instead",
    );
    expect(check.stdout).toContain('Wait budget 600s = base 600s x (max 3 - boot_counter unset=2)');
    expect(check.stdout).toMatch(/PASS\s+always-true/);
  });

  it('no greenboot.conf, no grubenv, no system bus, no rpm-ostree: defaults and a warning, the check runs', async () => {
    const dir = await layout({ [MAIN]: fixture('checks/config-command.yaml') });
    const check = await agent(dir, 'check', '--class', 'required', '--dry-run');
    expect(check.exitCode).toBe(0);
    expect(check.stderr).toMatch(
      /^warning: microshift\.service: D-Bus at unix:path=.* is not reachable: connect ENOENT/m,
    );
    expect(check.stdout).toContain('Wait budget 600s = base 600s x (max 3 - boot_counter unset=2)');
  });

  it('no system bus with checks that need systemd: a result for each, no crash', async () => {
    const config =
      'microshift:\n  check: on\nchecks:\n  - id: app\n    kind: unit\n    unit: app.service\n    timeoutSec: 2\n';
    const dir = await layout({ [MAIN]: config });
    const check = await agent(dir, 'check', '--class', 'required', '--dry-run', '--json');
    expect(check.stderr).not.toMatch(/^\s+at /m);
    expect(check.exitCode).toBe(1);
    const results = (JSON.parse(check.stdout) as { results: CheckResult[] }).results;
    // Without systemd the unit check times out after its 2 s and ends the run; the MicroShift
    // check, which waits through a systemd outage rather than fail a boot on a D-Bus hiccup, is
    // then stopped. Both are results, neither crashed.
    expect(results.find((r) => r.id === 'app')).toMatchObject({
      outcome: 'timeout',
      message: expect.stringContaining('is not reachable'),
    });
    expect(results.find((r) => r.id === 'microshift')).toMatchObject({
      outcome: 'skipped',
      reason: 'stopped-after-failure',
    });
  });
});

/** Just enough of a file system for the MicroShift check: files in a map, unreadable ones throw. */
class MemoryFs implements HostFs {
  files = new Map<string, string>();
  unreadable = new Set<string>();
  /** Paths whose read throws the given error (e.g. what the real port throws for a directory). */
  failures = new Map<string, Error>();
  resolve = (path: string) => path;
  async readText(path: string) {
    const failure = this.failures.get(path);
    if (failure) throw failure;
    if (this.unreadable.has(path))
      throw Object.assign(new Error(`EACCES: permission denied, open '${path}'`), { code: 'EACCES' });
    return this.files.get(path);
  }
  async readBytes(path: string) {
    const text = await this.readText(path);
    return text === undefined ? undefined : Buffer.from(text);
  }
  async list() {
    return [];
  }
  async info(path: string): Promise<FileInfo | undefined> {
    const text = this.files.get(path);
    return text === undefined
      ? undefined
      : { mode: 0o600, uid: 0, gid: 0, size: text.length, mtimeMs: 0, isFile: true, isDirectory: false };
  }
  async exists(path: string) {
    return this.files.has(path);
  }
  writeAtomic = unsupported;
  mkdirp = unsupported;
  remove = unsupported;
  move = unsupported;
}

async function unsupported(): Promise<never> {
  throw new Error('not supported by MemoryFs');
}

const coreWorkloads: WorkloadRef[] = [{ namespace: 'openshift-dns', kind: 'DaemonSet', name: 'dns-default' }];

/** The MicroShift check with microshift.service active, a given file system, clock and budget. */
function microshiftCheck(
  fs: HostFs,
  clock: Clock,
  options: { budgetMs: number; apiTimeoutMs?: number; pollMs?: number },
) {
  const lines: string[] = [];
  const log = createLogger({ format: 'text', native: false, write: (line) => lines.push(line.trimEnd()) });
  const systemd = new FakeSystemd([aUnit('microshift.service', { activeState: 'active', subState: 'running' })]);
  let apiCreations = 0;
  const deps: CheckDeps = {
    clock,
    exec: new FakeExec(),
    fs,
    log,
    systemd: async () => systemd,
    microshift: lazy(
      () => (apiCreations++, createMicroShiftApi({ fs, kubeconfig: KUBECONFIG, timeoutMs: options.apiTimeoutMs })),
    ),
  };
  const plan = {
    budgetMs: options.budgetMs,
    workloads: coreWorkloads,
    crashLoopRestarts: 3,
    containerRestarts: 3,
    restartWindowMs: 60_000,
    restartSettleMs: 1000,
  };
  const check = createMicroShiftCheck({ plan, bootTimeMs: 0, pollMs: options.pollMs }, deps);
  return {
    lines,
    apiCreations: () => apiCreations,
    run: async (signal = new AbortController().signal) => (await runChecks([check], clock, signal))[0] as CheckResult,
  };
}

describe('the MicroShift check with a missing, unreadable or invalid kubeconfig (fake clock)', () => {
  it.each([
    ['missing', (fs: MemoryFs) => void fs, `MicroShift kubeconfig ${KUBECONFIG} does not exist (yet)`],
    [
      'unreadable',
      (fs: MemoryFs) => void fs.unreadable.add(KUBECONFIG),
      `cannot read MicroShift kubeconfig ${KUBECONFIG}: EACCES`,
    ],
    [
      'not a kubeconfig',
      (fs: MemoryFs) => void fs.files.set(KUBECONFIG, 'clusters: [[[\n'),
      `MicroShift kubeconfig ${KUBECONFIG} is not a valid kubeconfig`,
    ],
    [
      'without a current cluster',
      (fs: MemoryFs) => void fs.files.set(KUBECONFIG, 'apiVersion: v1\nkind: Config\nclusters: []\n'),
      `MicroShift kubeconfig ${KUBECONFIG} names no current cluster`,
    ],
  ])(
    '%s: keeps waiting for the whole API budget, then times out naming the kubeconfig',
    async (_name, arrange, problem) => {
      const fs = new MemoryFs();
      arrange(fs);
      const clock = new FakeClock({ autoAdvance: true });
      const check = microshiftCheck(fs, clock, { budgetMs: 600_000 });
      const result = await check.run();
      expect(result).toMatchObject({ outcome: 'timeout', reason: 'api-timeout' });
      expect(result.message.startsWith(`MicroShift API unreachable (${problem}`)).toBe(true);
      // The API stage's budget plus the grace for MicroShift's own 1 s polls.
      expect(result.message).toMatch(new RegExp(`after ${600 + STAGE_GRACE_MS / 1000}s$`));
      // It kept trying (MicroShift writes its kubeconfig on first start), and told the operator.
      expect(check.apiCreations()).toBeGreaterThan(100);
      const progress = check.lines.filter((l) => l.startsWith('Still waiting: '));
      expect(progress.length).toBeGreaterThanOrEqual(19);
      expect(progress[0]).toContain(problem);
    },
  );
});

describe('the MicroShift check between two polls (fake clock)', () => {
  it("decides at the stage's deadline, not at the next poll after it", async () => {
    const clock = new FakeClock({ autoAdvance: true });
    // A 10 s poll and a 1 s budget: the API stage ends at 1 s + the grace, long before a next poll.
    const check = microshiftCheck(new MemoryFs(), clock, { budgetMs: 1000, pollMs: 10_000 });
    const result = await check.run();
    expect(result).toMatchObject({ outcome: 'timeout', reason: 'api-timeout' });
    expect(result.message).toMatch(new RegExp(`after ${(1000 + STAGE_GRACE_MS) / 1000}s$`));
    expect(result.durationMs).toBeLessThan(10_000);
  });
});

describe('the MicroShift check against a misbehaving API (real TLS server on loopback)', () => {
  let certs: SimCerts;

  beforeAll(async () => {
    certs = await simCerts();
  });

  type Handler = (path: string, reply: (status: number, body: string) => void) => void;
  type Api = { fs: MemoryFs; close: () => Promise<void> };

  /** An HTTPS server with MicroShift's serving certificate; the handler decides every answer. */
  function api(handler: Handler): Promise<Api> {
    return listen(
      createHttpsServer({ cert: certs.serverCert, key: certs.serverKey }, (req, res) =>
        handler(req.url ?? '/', (status, body) =>
          res.writeHead(status, { 'content-type': 'application/json' }).end(body),
        ),
      ),
    );
  }

  /** Listen on a free loopback port; the kubeconfig in the returned file system points there. */
  async function listen(server: HttpsServer | TcpServer): Promise<Api> {
    const sockets = new Set<Socket>();
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const fs = new MemoryFs();
    fs.files.set(KUBECONFIG, renderKubeconfig(certs, `https://127.0.0.1:${port}`));
    const close = async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    };
    return { fs, close };
  }

  const healthy = (path: string) => path.startsWith('/readyz') || path.startsWith('/livez');
  // A 1 s budget: the API stage ends 1 s + the 1 s grace after the unit was seen active.
  const budget = { budgetMs: 1000, apiTimeoutMs: 500, pollMs: 200 };

  it.concurrent.each<[string, () => Promise<Api>, Partial<CheckResult>, RegExp]>([
    [
      'answers 500 with a Status body',
      () => api((_p, reply) => reply(500, '{"kind":"Status","status":"Failure","message":"etcd is down","code":500}')),
      { reason: 'api-timeout' },
      /^MicroShift API not ready: HTTP 500 failing after [23]s$/,
    ],
    [
      'answers 500 with the failing checks',
      () => api((_p, reply) => reply(500, '[+]ping ok\n[-]etcd failed: reason withheld\nreadyz check failed\n')),
      { reason: 'api-timeout' },
      /^MicroShift API not ready: etcd failing after [23]s$/,
    ],
    [
      'talks garbage instead of HTTP',
      () => listen(createTcpServer((socket) => void socket.end('SSH-2.0-OpenSSH_9.2\r\ngarbage\r\n'))),
      { reason: 'api-timeout' },
      /^MicroShift API unreachable \(.+\) after [23]s$/,
    ],
    [
      'accepts connections and never answers',
      () => api(() => undefined),
      { reason: 'api-timeout' },
      /^MicroShift API slow: connected, but no answer within 500ms after [23]s$/,
    ],
    [
      'is healthy but lists garbage',
      () => api((p, reply) => (healthy(p) ? reply(200, 'ok') : reply(200, 'this is not JSON'))),
      { reason: 'pods-timeout' },
      /^no MicroShift pod running yet after [23]s; last API error: list (pods|daemonsets): .+/,
    ],
    [
      'is healthy but every list fails with 500',
      () => api((p, reply) => (healthy(p) ? reply(200, 'ok') : reply(500, '{"kind":"Status","code":500}'))),
      { reason: 'pods-timeout' },
      /^no MicroShift pod running yet after [23]s; last API error: list (pods|daemonsets): HTTP 500$/,
    ],
  ])('%s: waits, then times out naming the API problem', async (_name, start, expected, message) => {
    const { fs, close } = await start();
    try {
      const started = Date.now();
      const result = await microshiftCheck(fs, systemClock, budget).run();
      expect(result).toMatchObject({ outcome: 'timeout', ...expected });
      expect(result.message).toMatch(message);
      // The budget is honoured (no early red), and a hung API does not stretch it much.
      expect(Date.now() - started).toBeGreaterThanOrEqual(budget.budgetMs + STAGE_GRACE_MS);
      expect(Date.now() - started).toBeLessThan(12_000);
    } finally {
      await close();
    }
  });
});

// `check --dry-run --timeout N` stops the checks early; what the MicroShift check was waiting for
// must come with it, or the operator only learns "not decided within --timeout".
describe('the MicroShift check stopped early says why the API could not be asked', () => {
  let certs: SimCerts;
  let server: HttpsServer;
  let port = 0;

  beforeAll(async () => {
    certs = await simCerts();
    server = createHttpsServer({ cert: certs.serverCert, key: certs.serverKey }, (_req, res) =>
      res.writeHead(200).end('ok'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  /** A loopback port nothing listens on (bound, then closed). */
  async function closedPort(): Promise<number> {
    const probe = createTcpServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const free = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    return free;
  }

  const SECRET = 'sha256~do-not-echo-this-token';
  it.each<[string, (fs: MemoryFs) => Promise<void>, RegExp]>([
    [
      'a missing kubeconfig',
      async () => undefined,
      new RegExp(`^MicroShift API unreachable \\(MicroShift kubeconfig ${KUBECONFIG} does not exist \\(yet\\)\\)`),
    ],
    [
      'a kubeconfig that is a directory',
      async (fs) => void fs.failures.set(KUBECONFIG, new NotRegularFileError(KUBECONFIG, 'a directory')),
      new RegExp(
        `unreachable \\(cannot read MicroShift kubeconfig ${KUBECONFIG}: it is a directory, expected a regular file\\)`,
      ),
    ],
    [
      'a kubeconfig that is not YAML',
      async (fs) =>
        void fs.files.set(
          KUBECONFIG,
          `apiVersion: v1\nusers:\n- name: admin\n  user:\n    token: ${SECRET}\n   oops: x\n`,
        ),
      /is not a valid kubeconfig: YAML error at line 6, column \d+: All mapping items must start at the same column\)/,
    ],
    [
      'a kubeconfig for another CA',
      async (fs) =>
        void fs.files.set(
          KUBECONFIG,
          renderKubeconfig({ ...(await createCerts()), serverCert: certs.serverCert }, `https://127.0.0.1:${port}`),
        ),
      /unreachable \(certificate of https:\/\/127\.0\.0\.1:\d+ signed by an unknown authority \(not the CA in the kubeconfig: [A-Z_]+\)\)/,
    ],
    [
      'an API that refuses connections',
      async (fs) => void fs.files.set(KUBECONFIG, renderKubeconfig(certs, `https://127.0.0.1:${await closedPort()}`)),
      /unreachable \(connection refused at https:\/\/127\.0\.0\.1:\d+\)/,
    ],
  ])('%s', async (_name, arrange, waitingFor) => {
    const fs = new MemoryFs();
    await arrange(fs);
    const check = microshiftCheck(fs, systemClock, { budgetMs: 600_000, apiTimeoutMs: 1000, pollMs: 100 });
    const result = await check.run(AbortSignal.timeout(1500));
    expect(result.outcome).toBe('terminated');
    const seen = String(result.observation?.waitingFor);
    expect(seen).toMatch(waitingFor);
    // Never a line of the file: the kubeconfig holds keys and tokens.
    expect(JSON.stringify(result)).not.toContain(SECRET);
    expect(check.lines.join('\n')).not.toContain(SECRET);
  });
});
