// Declared checks on a fake clock with fake systemd, MicroShift API and subprocesses: when exactly
// they decide (a change is seen when it happens, not at the next poll), what they say while they
// wait, and that a flaky host service makes them wait rather than fail or crash.
import { describe, expect, it } from 'vitest';
import { runChecks } from '../../agent/core/check-runner.js';
import type { CheckResult } from '../../agent/core/check-result.js';
import type { WorkloadObservation } from '../../agent/core/microshift-observation.js';
import { CheckSchema, type CheckSpec } from '../../agent/config/schema.js';
import { HostError } from '../../agent/errors.js';
import { createDeclaredCheck } from '../../agent/commands/check/declared.js';
import type { CheckDeps } from '../../agent/commands/check/check-deps.js';
import { createHostFs } from '../../agent/host/fs.js';
import { createLogger } from '../../agent/host/log.js';
import type { MicroShiftApi } from '../../agent/host/microshift-api.js';
import { FakeClock } from '../fakes/clock.js';
import { FakeExec } from '../fakes/exec.js';
import { aUnit, FakeSystemd } from '../fakes/systemd.js';

interface Harness {
  clock: FakeClock;
  systemd: FakeSystemd;
  exec: FakeExec;
  lines: string[];
  api?: () => Promise<MicroShiftApi>;
}

function aHarness(units = [aUnit('app.service')]): Harness {
  return {
    clock: new FakeClock({ autoAdvance: true }),
    systemd: new FakeSystemd(units),
    exec: new FakeExec(),
    lines: [],
  };
}

/** Run one declared check (given as it would be written in config) through the runner. */
async function run(
  h: Harness,
  spec: Record<string, unknown>,
  timeoutMs: number,
  signal = new AbortController().signal,
): Promise<CheckResult> {
  const check = CheckSchema.parse({ id: 'x', ...spec }) as CheckSpec;
  const deps: CheckDeps = {
    clock: h.clock,
    exec: h.exec,
    fs: createHostFs('/'),
    log: createLogger({ format: 'text', native: false, write: (line) => h.lines.push(line.trimEnd()) }),
    systemd: async () => h.systemd,
    microshift: h.api ?? (async () => Promise.reject(new Error('no MicroShift here'))),
  };
  const [result] = await runChecks([createDeclaredCheck(check, timeoutMs, deps)], h.clock, signal);
  return result as CheckResult;
}

describe('unit checks', () => {
  it('pass the moment the unit turns active, not at the next poll', async () => {
    const h = aHarness();
    void h.systemd.play(
      'app.service',
      [
        { afterMs: 2000, patch: { activeState: 'activating', subState: 'start' } },
        { afterMs: 8500, patch: { activeState: 'active', subState: 'running' } },
      ],
      h.clock,
    );
    const result = await run(h, { kind: 'unit', unit: 'app.service' }, 600_000);
    expect(result).toMatchObject({
      outcome: 'pass',
      message: 'unit app.service active: active/running',
      durationMs: 10_500,
    });
  });

  it('fail the moment the unit fails, long before the timeout', async () => {
    const h = aHarness();
    void h.systemd.play(
      'app.service',
      [
        { afterMs: 100, patch: { activeState: 'activating', subState: 'start' } },
        { afterMs: 3200, patch: { activeState: 'failed', subState: 'failed', result: 'exit-code' } },
      ],
      h.clock,
    );
    const result = await run(h, { kind: 'unit', unit: 'app.service' }, 600_000);
    expect(result).toMatchObject({
      outcome: 'fail',
      reason: 'unit-failed',
      message: 'unit app.service active: failed/failed',
      durationMs: 3300,
    });
  });

  it('time out at the timeout, saying every 30 s what they are waiting for', async () => {
    const h = aHarness();
    const result = await run(h, { kind: 'unit', unit: 'app.service' }, 100_000);
    expect(result).toMatchObject({
      outcome: 'timeout',
      reason: 'unit-timeout',
      message: 'unit app.service active not reached within 100s: inactive/dead',
      durationMs: 100_000,
    });
    expect(h.lines).toEqual([
      'Waiting up to 100s for unit app.service active',
      'Still waiting (70s left): unit app.service active: inactive/dead',
      'Still waiting (40s left): unit app.service active: inactive/dead',
      'Still waiting (10s left): unit app.service active: inactive/dead',
    ]);
  });

  it('keep waiting through a systemd outage instead of failing or crashing', async () => {
    const h = aHarness([aUnit('app.service', { activeState: 'active', subState: 'running' })]);
    h.systemd.failure = new HostError(
      'dbus-unavailable',
      'D-Bus at unix:path=/run/dbus/system_bus_socket is not reachable: connect ENOENT',
      { retryable: true },
    );
    void h.clock.sleep(5000).then(() => (h.systemd.failure = undefined));
    const result = await run(h, { kind: 'unit', unit: 'app.service' }, 60_000);
    expect(result).toMatchObject({ outcome: 'pass', reason: 'ok' });
    expect(result.durationMs).toBeGreaterThanOrEqual(5000);
    expect(result.durationMs).toBeLessThanOrEqual(6000);
  });

  it('name the systemd problem when it lasts until the timeout', async () => {
    const h = aHarness();
    h.systemd.failure = new HostError(
      'dbus-unavailable',
      'D-Bus at unix:path=/run/dbus/system_bus_socket is not reachable: connect ENOENT',
      { retryable: true },
    );
    const result = await run(h, { kind: 'unit', unit: 'app.service' }, 10_000);
    expect(result).toMatchObject({
      outcome: 'timeout',
      reason: 'unit-timeout',
      message:
        'unit app.service active not reached within 10s: D-Bus at unix:path=/run/dbus/system_bus_socket is not reachable: connect ENOENT',
    });
  });
});

describe('workload checks', () => {
  const ref = { namespace: 'my-db', kind: 'StatefulSet' as const, name: 'postgres' };
  /** A MicroShift API whose answer for the workload changes on the clock. */
  function apiOn(h: Harness, answer: (ms: number) => WorkloadObservation | Error): () => Promise<MicroShiftApi> {
    const unused = () => Promise.reject(new Error('not used'));
    const api: MicroShiftApi = {
      health: unused,
      pods: unused,
      pullEvents: unused,
      close: () => undefined,
      workloads: async () => {
        const a = answer(h.clock.monotonic());
        if (a instanceof Error) throw a;
        return [a];
      },
    };
    return async () => api;
  }

  it('wait while the workload is missing or rolling out, pass when it is ready', async () => {
    const h = aHarness();
    h.api = apiOn(h, (ms) =>
      ms < 3000
        ? { ...ref, found: false, ready: false, detail: 'not found' }
        : ms < 7000
          ? { ...ref, found: true, ready: false, detail: '0/1 available' }
          : { ...ref, found: true, ready: true, detail: '1/1 available' },
    );
    const result = await run(
      h,
      { kind: 'workload', namespace: 'my-db', resource: 'StatefulSet', name: 'postgres' },
      60_000,
    );
    expect(result).toMatchObject({
      outcome: 'pass',
      message: 'StatefulSet my-db/postgres ready: 1/1 available',
      durationMs: 7000,
    });
  });

  it('keep waiting while the API fails, and name the API problem at the timeout', async () => {
    const h = aHarness();
    h.api = apiOn(h, () => new HostError('kube-api', 'list statefulsets: HTTP 503', { retryable: true }));
    const result = await run(
      h,
      { kind: 'workload', namespace: 'my-db', resource: 'StatefulSet', name: 'postgres' },
      20_000,
    );
    expect(result).toMatchObject({
      outcome: 'timeout',
      reason: 'workload-timeout',
      message: 'StatefulSet my-db/postgres ready not reached within 20s: list statefulsets: HTTP 503',
      durationMs: 20_000,
    });
  });

  it('keep waiting while the kubeconfig does not exist yet', async () => {
    const h = aHarness();
    h.api = async () =>
      Promise.reject(
        new HostError(
          'kubeconfig-missing',
          'MicroShift kubeconfig /var/lib/microshift/resources/kubeadmin/kubeconfig does not exist (yet)',
          { retryable: true },
        ),
      );
    const result = await run(
      h,
      { kind: 'workload', namespace: 'my-db', resource: 'StatefulSet', name: 'postgres' },
      20_000,
    );
    expect(result).toMatchObject({
      outcome: 'timeout',
      message: expect.stringContaining('kubeconfig does not exist (yet)'),
    });
  });
});

describe('command checks', () => {
  it('keep the last lines of output in the observation and the last one in the message', async () => {
    const h = aHarness();
    const output = Array.from({ length: 12 }, (_, i) => `line ${i + 1}`).join('\n');
    // As the real port gives it: execa strips the final newline.
    h.exec.on('/usr/local/bin/check-sensors', { exitCode: 2, stdout: output, stderr: 'sensor 3 silent' });
    const result = await run(h, { kind: 'command', command: ['/usr/local/bin/check-sensors', '--quick'] }, 30_000);
    expect(result).toMatchObject({
      outcome: 'fail',
      reason: 'command-failed',
      message: 'command /usr/local/bin/check-sensors --quick exited 2: sensor 3 silent',
      observation: { exitCode: 2, output: 'line 9\nline 10\nline 11\nline 12\nsensor 3 silent' },
    });
  });

  it('are reported as terminated, not failed, when SIGTERM stops the command', async () => {
    const h = aHarness();
    h.exec.on('/usr/local/bin/slow', { hang: true });
    const controller = new AbortController();
    setTimeout(() => controller.abort('SIGTERM'), 20);
    const result = await run(h, { kind: 'command', command: ['/usr/local/bin/slow'] }, 30_000, controller.signal);
    expect(result).toMatchObject({ outcome: 'terminated', reason: 'terminated' });
  });
});
