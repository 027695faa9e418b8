// `edge-agent status` end to end on virtual edge devices: real systemd and D-Bus, bash greenboot,
// the simulated MicroShift, the rpm-ostree stand-in. Each case asserts the exit code, the JSON
// against the exported schema, and the key lines of the human view (not exact timestamps: the
// goldens in test/fixtures/status hold the full layout).
import { readFileSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { basename, dirname, join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { StatusResult } from '../../agent/core/status/schema.js';
import { agentDist, agentMetafile } from '../harness/agent-build.js';
import { repoRoot } from '../harness/bundle.js';
import { bootEdgeDevice } from '../harness/edge-device.js';
import { nextBoot, settleBoot } from '../harness/greenboot/boot-cycle.js';
import { setDeploymentScenario } from '../harness/microshift/install.js';
import { scenario } from '../harness/microshift/scenario.js';
import { makeUpdateAvailable, stageUpdate } from '../harness/rpm-ostree/device-rpm-ostree.js';
import type { VirtualDevice } from '../harness/vdev.js';

const config = 'microshift:\n  waitTimeoutSec: 60\n  restartWindowSec: 15\n';
const schema = z.fromJSONSchema(
  JSON.parse(
    readFileSync(join(import.meta.dirname, '..', '..', 'packaging', 'schemas', 'status.schema.json'), 'utf8'),
  ) as Parameters<typeof z.fromJSONSchema>[0],
);
const devices: VirtualDevice[] = [];
const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(devices.splice(0).map((d) => d.dispose()));
  for (const server of servers.splice(0)) server.close();
});

async function boot(options: Parameters<typeof bootEdgeDevice>[0]): Promise<VirtualDevice> {
  const device = await bootEdgeDevice({ config, ...options });
  devices.push(device);
  return device;
}

interface Run {
  exitCode: number;
  ms: number;
  json: StatusResult;
  text: string;
}

/**
 * `edge-agent status --json` and `edge-agent status`, as root or as another user. Asked again
 * while rpm-ostree status (a 1 s limit) timed out, as the stand-in can on a busy machine: no test
 * here is about that timeout, and the deployments it lists are asserted on.
 */
async function status(device: VirtualDevice, options: { user?: string } = {}): Promise<Run> {
  const as = options.user ? ['runuser', '-u', options.user, '--'] : [];
  const ask = async (view: string[], env?: Record<string, string>) => {
    for (let i = 0; ; i++) {
      const started = Date.now();
      const result = await device.exec([...as, 'edge-agent', 'status', ...view], { env });
      if (i === 20 || !result.stdout.includes('rpm-ostree status did not answer within'))
        return { result, ms: Date.now() - started };
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  };
  const { result: json, ms } = await ask(['--json']);
  const { result: text } = await ask([], { NO_COLOR: '1' });
  expect(text.exitCode, text.stderr).toBe(json.exitCode);
  const parsed = JSON.parse(json.stdout) as StatusResult;
  const check = schema.safeParse(parsed);
  expect(check.success, check.success ? '' : JSON.stringify(check.error.issues.slice(0, 3))).toBe(true);
  expect(parsed.exitCode).toBe(json.exitCode);
  for (const line of text.stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
  expect(text.stdout).not.toContain('\x1b[');
  return { exitCode: json.exitCode, ms, json: parsed, text: text.stdout };
}

const line = (text: string, pattern: RegExp) => text.split('\n').find((l) => pattern.test(l));
/** The verdict line as one string, however it wrapped. */
const header = (text: string) => text.split('\n\n')[0]?.replace(/\n {2}/g, ' ') ?? '';

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('edge-agent status in the bundle', () => {
  // What `status` loads before its first byte of output. Asking the daemon needs no package at
  // all; gathering in-process loads zod/mini (the record readers) and, dynamically, dbus-next, but
  // never the MQTT client, the Kubernetes client (a dynamic import, for the MicroShift section
  // only), execa, yaml or zod's classic API.
  it('loads no package to ask the daemon, and neither the MQTT nor the Kubernetes client to gather itself', async () => {
    // The bundle is minified: what each chunk holds and imports comes from esbuild's metafile.
    const { outputs } = await agentMetafile();
    const chunksDir = relative(repoRoot, join(await realpath(agentDist), 'chunks'));
    const chunk = (base: string) =>
      Object.keys(outputs).find(
        (path) => new RegExp(`^${base}-[A-Z0-9]+\\.js$`).test(basename(path)) && dirname(path) === chunksDir,
      ) as string;
    const imports = (path: string, kind: string) =>
      (outputs[path]?.imports ?? []).filter((i) => i.kind === kind).map((i) => i.path);
    const closureOf = (entry: string) => {
      const closure = new Set<string>();
      const visit = (path: string) => {
        if (closure.has(path)) return;
        closure.add(path);
        for (const next of imports(path, 'import-statement')) if (outputs[next]) visit(next);
      };
      visit(entry);
      return closure;
    };
    const packagesOf = (entry: string) => {
      const inputs = [...closureOf(entry)].flatMap((path) =>
        Object.entries(outputs[path]?.inputs ?? {})
          .filter(([, i]) => i.bytesInOutput > 0)
          .map(([input]) => input),
      );
      return [
        ...new Set(
          inputs.flatMap(
            (input) => /node_modules\/((?:@[^/]+\/)?[^/]+)\/(\S*)$/.exec(input)?.slice(1, 3).join('/') ?? [],
          ),
        ),
      ];
    };
    // The command's chunk, as cli.js loads it (core/status/status.ts, loaded by the local path, is a status-* chunk too).
    const cli = Object.keys(outputs).find(
      (path) => dirname(path) === dirname(chunksDir) && basename(path) === 'cli.js',
    ) as string;
    const status = imports(cli, 'dynamic-import').find((path) =>
      /^status-[A-Z0-9]+\.js$/.test(basename(path)),
    ) as string;
    expect(status).toBeDefined();
    expect(packagesOf(status)).toEqual([]);
    const local = chunk('probes');
    expect(imports(status, 'dynamic-import')).toContain(local);
    const packages = packagesOf(local);
    expect(packages.some((p) => p.startsWith('zod/v4/mini/'))).toBe(true);
    expect(
      packages.filter((p) => /^(mqtt|@kubernetes|execa|yaml|dbus-next)\//.test(p) || p.startsWith('zod/v4/classic')),
    ).toEqual([]);
    expect(
      [...closureOf(local)].some((path) => imports(path, 'dynamic-import').includes(chunk('microshift-api'))),
    ).toBe(true);
  });
});

// zod/mini is kept to the functions the schemas call only while every module imports it as a
// namespace used directly (`z.object`): a namespace object passed on (`export { z }`) keeps all of
// it, 570 KB, which the daemon then carries (core/zod.ts). A guard, measured from the metafile.
it('bundles only the parts of zod the schemas use', async () => {
  const { outputs } = await agentMetafile();
  const zodBytes = Object.values(outputs)
    .flatMap((output) => Object.entries(output.inputs ?? {}))
    .filter(([input]) => input.includes('node_modules/zod/'))
    .reduce((sum, [, input]) => sum + input.bytesInOutput, 0);
  console.log(`zod in the bundle: ${(zodBytes / 1024).toFixed(0)} KiB`);
  expect(zodBytes).toBeGreaterThan(0);
  expect(zodBytes).toBeLessThan(250 * 1024);
});

describe('edge-agent status on a virtual edge device', () => {
  it('green after an update; then as an ordinary user; then with a hung MicroShift API', async () => {
    const device = await boot({ microshift: scenario('healthy'), deployments: [{ version: '9.4.20240601.0' }] });
    await makeUpdateAvailable(device, { version: '9.4.20240701.0' });
    await stageUpdate(device);
    await nextBoot(device);
    await settleBoot(device, 120_000);

    const green = await status(device);
    expect(green.exitCode).toBe(0);
    expect(green.json).toMatchObject({
      state: 'green',
      boot: { verdict: 'green', greenboot: 'bash', attempt: 1, attempts: 3 },
      device: { ostree: true },
    });
    expect(green.json.deployments.list.map((d) => [d.version, d.role])).toEqual([
      ['9.4.20240701.0', 'booted'],
      ['9.4.20240601.0', 'rollback'],
    ]);
    expect(green.json.checks.results).toContainEqual(
      expect.objectContaining({ id: 'microshift', class: 'required', outcome: 'pass' }),
    );
    expect(green.json.problems.filter((p) => p.code === 'config' || p.severity === 'error')).toEqual([]);
    expect(green.json.microshift).toMatchObject({ installed: true, unit: { activeState: 'active' } });
    expect(green.json.microshift.api.state === 'timed-out' || green.json.microshift.api.ready === true).toBe(true);
    expect(green.text.split('\n')[0]).toMatch(/^● GREEN: 9\.4\.20240701\.0 \([0-9a-f]{7}\) passed its health checks$/);
    expect(line(green.text, /^ {2}● 9\.4\.20240701\.0/)).toMatch(/booted$/);
    expect(line(green.text, /^ +Verdict: /)).toMatch(/^ +Verdict: GREEN: /);
    expect(line(green.text, /✓ microshift/)).toMatch(/required\s+pass/);

    // The daemon's fresh look at MicroShift spares status the Kubernetes client.
    const now = new Date().toISOString();
    await device.writeFile(
      '/run/edge-agent/daemon.json',
      JSON.stringify({
        schema: 1,
        pid: 1,
        version: '0.1.0',
        startedAt: now,
        updatedAt: now,
        hub: { configured: false, connected: false, queued: 0, dropped: 0 },
        microshift: { unit: 'active', apiReady: true, workloads: { ready: 8, total: 8 }, checkedAt: now },
      }),
      0o644,
    );
    const fromDaemon = await status(device);
    expect(fromDaemon.json.microshift).toMatchObject({
      source: 'daemon',
      api: { ready: true },
      workloads: { ready: 8, total: 8 },
    });
    await device.exec(['rm', '-f', '/run/edge-agent/daemon.json']);

    // Asked why it is slow, status gathering itself says where its time went, source by source.
    const traced = await device.exec(['edge-agent', 'status'], {
      env: { EDGE_AGENT_STATUS_TRACE: '1', EDGE_AGENT_STATUS_DAEMON: '0' },
    });
    expect(traced.stderr).toMatch(/^status trace: +[\d.]+ ms \+ +[\d.]+ ms {2}MicroShift API \(ok\)$/m);
    expect(traced.stderr).toMatch(/^status trace: +[\d.]+ ms \+ +[\d.]+ ms {2}rpm-ostree status \(ok\)$/m);
    expect(traced.stderr).toMatch(/^status trace: +[\d.]+ ms {2}output written$/m);
    expect((await device.exec(['edge-agent', 'status'])).stderr).not.toContain('status trace');

    // As the RPM and RHEL lay them out: the agent's state and the grubenv are root's.
    await device.sh(
      'chmod 0700 /var/lib/edge-agent && chmod 0600 /boot/grub2/grubenv /var/lib/microshift/resources/kubeadmin/kubeconfig',
    );
    const user = await status(device, { user: 'nobody' });
    expect(user.exitCode).toBe(0);
    expect(user.json).toMatchObject({
      state: 'green',
      checks: { state: 'needs-root' },
      lastRollback: { state: 'needs-root' },
      boot: { grubenv: { state: 'needs-root' } },
      microshift: { api: { state: 'needs-root' } },
    });
    expect(user.json.problems).toContainEqual(
      expect.objectContaining({ code: 'needs-root', action: 'sudo edge-agent status' }),
    );
    expect(line(user.text, /Checks of this boot/)).toBeDefined();
    expect(user.text).toContain('needs root: boot records in /var/lib/edge-agent/boots: permission denied');

    // A MicroShift API that accepts connections and never answers.
    const port = await hangingServer();
    await device.sh(
      `sed -i 's#server: https://[^ ]*#server: https://127.0.0.1:${port}#' /var/lib/microshift/resources/kubeadmin/kubeconfig`,
    );
    const hung = await status(device);
    expect(hung.exitCode).toBe(0);
    expect(hung.json.microshift).toMatchObject({
      state: 'ok',
      unit: { activeState: 'active' },
      api: { state: 'timed-out' },
    });
    // A server that accepts TCP and never starts TLS is cut off by the probe's whole limit
    // (3 x 1 s to connect + 3 s to answer): status ends there, saying so, and does not hang.
    expect(hung.ms).toBeLessThan(12_000);
    expect(line(hung.text, /^ +API: /)).toMatch(
      /API: unknown \(timed out\): MicroShift API did not answer within 6\.0 s/,
    );
  }, 240_000);

  it('red with a failing check', async () => {
    const device = await boot({ microshift: scenario('crash-loop') });
    const red = await status(device);
    expect(red.exitCode).toBe(1);
    expect(red.json).toMatchObject({ state: 'red', boot: { verdict: 'red', updateOnTrial: false } });
    expect(red.json.checks.results).toContainEqual(
      expect.objectContaining({
        id: 'microshift',
        outcome: 'fail',
        reason: expect.stringMatching(/crash-loop|unit-failed/),
      }),
    );
    expect(red.json.problems[0]).toMatchObject({ severity: 'error', code: 'boot-red' });
    expect(header(red.text)).toMatch(/^● RED: .* failed check 'microshift'/);
    expect(red.text).toMatch(/Problems\n {2}✗ This boot is RED: check 'microshift' failed: /);
    expect(red.text).toContain('no update is on trial, so nothing reboots by itself');
  }, 180_000);

  it('checking while the health checks run', async () => {
    // Installed without the reboot through greenboot: start this boot's checks by hand, as at boot.
    const device = await boot({ microshift: scenario('api-never-ready'), boot: false });
    await device.sh('systemctl start --no-block microshift.service greenboot-healthcheck.service');
    await waitFor(
      async () =>
        (await device.exec(['systemctl', 'is-active', 'greenboot-healthcheck.service'])).stdout.trim() === 'activating',
      20_000,
    );
    const checking = await status(device);
    expect(checking.exitCode).toBe(2);
    expect(checking.json).toMatchObject({
      state: 'checking',
      boot: { verdict: 'checking', healthcheck: { activeState: 'activating' } },
    });
    expect(checking.text.split('\n')[0]).toMatch(/^● CHECKING: /);
  }, 120_000);

  it('fallback after a rollback: green on the old deployment, saying why', async () => {
    const device = await boot({ microshift: scenario('healthy'), deployments: [{ version: '9.4.20240601.0' }] });
    await setDeploymentScenario(device, '9.4.20240701.0', scenario('crash-loop'));
    await makeUpdateAvailable(device, { version: '9.4.20240701.0' });
    await stageUpdate(device);
    await nextBoot(device);
    for (let n = 0; n < 5; n++) if ((await nextBoot(device)).next.fallback) break;
    await settleBoot(device, 120_000);
    const after = await status(device);
    expect(after.exitCode).toBe(0);
    expect(after.json.deployments.list.find((d) => d.booted)?.version).toBe('9.4.20240601.0');
    expect(after.json.lastRollback).toMatchObject({
      state: 'ok',
      found: true,
      current: true,
      from: { version: '9.4.20240701.0' },
      to: { version: '9.4.20240601.0' },
      failedBoots: 3,
    });
    expect(after.json.lastRollback.reason).toMatch(/^microshift: /);
    expect(after.json.problems).toContainEqual(expect.objectContaining({ code: 'rolled-back', severity: 'warning' }));
    expect(header(after.text)).toMatch(/rolled back from 9\.4\.20240701\.0/);
    expect(line(after.text, /^ +To: /)).toMatch(/9\.4\.20240601\.0 \([0-9a-f]{7}\) \(booted now\)/);
  }, 360_000);

  it('on a host that is not ostree-booted, without MicroShift: degraded, and says so', async () => {
    const device = await boot({ ostree: false, microshift: { state: 'absent' } });
    const plain = await status(device);
    expect(plain.exitCode).toBe(3);
    expect(plain.json).toMatchObject({
      state: 'degraded',
      device: { ostree: false },
      deployments: { state: 'unavailable', note: 'not an ostree system' },
      microshift: { installed: false },
    });
    expect(plain.json.problems).toContainEqual(expect.objectContaining({ code: 'not-ostree' }));
    expect(line(plain.text, /ostree: /)).toMatch(/ostree: no: not an ostree-booted system/);
  }, 120_000);

  it('MicroShift absent on an edge host: green, "not installed"', async () => {
    const device = await boot({ microshift: { state: 'absent' } });
    const run = await status(device);
    expect(run.exitCode).toBe(0);
    expect(run.json.microshift).toMatchObject({ state: 'unavailable', installed: false });
    expect(run.text).toMatch(/MicroShift\n {4}not installed\n/);
  }, 120_000);

  it('--watch refreshes until interrupted, then exits 0', async () => {
    const device = await boot({ microshift: { state: 'absent' } });
    const watch = device.spawn([
      'bash',
      '-c',
      'echo $$ > /run/status-watch.pid; exec edge-agent status --watch --json --interval 0.5',
    ]);
    let lines: string[] = [];
    watch.stdout?.on('data', (chunk: Buffer) => (lines = [...lines, ...chunk.toString().split('\n').filter(Boolean)]));
    const deadline = Date.now() + 20_000;
    while (lines.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    // Ctrl-C: SIGINT to the watching process itself (the launcher execs node in place).
    await device.sh('kill -INT "$(cat /run/status-watch.pid)"');
    const ended = await watch;
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect((JSON.parse(lines[0] as string) as StatusResult).schema).toBe(1);
    expect(ended.exitCode).toBe(0);
  }, 120_000);
});

/** A TCP server on the host's loopback (shared with the device) that never answers. */
async function hangingServer(): Promise<number> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => sockets.push(socket));
  server.on('close', () => sockets.forEach((s) => s.destroy()));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}
