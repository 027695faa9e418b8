// Checks users declare in config: a unit active, a workload ready, an HTTP(S) status, a TCP
// connect, a command exiting 0. Each waits (with the shared loop) until it passes or its timeout
// passes; a state that cannot get better (unit failed) fails at once.
import { connect } from 'node:net';
import { request as httpsRequest } from 'node:https';
import { createRequire } from 'node:module';
import type * as Http from 'node:http';
import { waitUntil } from '../../core/wait.js';
import type { CheckReport } from '../../core/check-result.js';
import type { RunnableCheck } from '../../core/check-runner.js';
import type { CheckSpec } from '../../config/schema.js';
import type { CheckDeps } from './check-deps.js';

// node:http through require, not import: on Node.js 22 an ES import of node:http builds the
// module's export list, which reads its WebSocket getter, which loads fetch's HTTP parser from
// WebAssembly; the daemon runs its check child with --lite-mode, which has no WebAssembly, so that
// import alone ended the child ("WebAssembly is not defined"). require gives the same module
// without the export list (node:https has no such getter).
const { request: httpRequest } = createRequire(import.meta.url)('node:http') as typeof Http;

type Probe = { ok: boolean; final?: boolean; detail: string; observation?: Record<string, unknown> };

export function createDeclaredCheck(check: CheckSpec, timeoutMs: number, deps: CheckDeps): RunnableCheck {
  return {
    id: check.id,
    class: check.class,
    async run({ signal }) {
      if (check.kind === 'command') return runCommand(check, timeoutMs, deps, signal);
      const probe = await prober(check, deps);
      const start = deps.clock.monotonic();
      deps.log.info({ check: check.id }, `Waiting up to ${Math.round(timeoutMs / 1000)}s for ${describe(check)}`);
      return waitUntil<Probe, CheckReport>({
        clock: deps.clock,
        signal,
        deadline: start + timeoutMs,
        pollMs: 1000,
        probe: (s) => probe.run(s),
        wake: probe.wake,
        assess: (p) =>
          p.ok
            ? {
                done: true,
                result: {
                  outcome: 'pass',
                  reason: 'ok',
                  message: `${describe(check)}: ${p.detail}`,
                  observation: p.observation,
                },
              }
            : p.final
              ? {
                  done: true,
                  result: {
                    outcome: 'fail',
                    reason: `${check.kind}-failed`,
                    message: `${describe(check)}: ${p.detail}`,
                    observation: p.observation,
                  },
                }
              : { done: false, progress: `${describe(check)}: ${p.detail}` },
        onDeadline: (last) => ({
          outcome: 'timeout',
          reason: `${check.kind}-timeout`,
          message: `${describe(check)} not reached within ${Math.round(timeoutMs / 1000)}s: ${last?.detail ?? 'no answer'}`,
          observation: last?.observation,
        }),
        onAbort: (last) => ({
          outcome: 'terminated',
          reason: 'terminated',
          message: `stopped while waiting: ${last?.detail ?? 'no answer yet'}`,
        }),
        onProgress: (text, remaining) =>
          deps.log.info({ check: check.id }, `Still waiting (${Math.round(remaining / 1000)}s left): ${text}`),
      });
    },
  };
}

function describe(check: CheckSpec): string {
  switch (check.kind) {
    case 'unit':
      return `unit ${check.unit} active`;
    case 'workload':
      return `${check.resource} ${check.namespace}/${check.name} ready`;
    case 'http':
      return `GET ${check.url} answering ${check.expectStatus}`;
    case 'tcp':
      return `TCP ${check.host}:${check.port} accepting connections`;
    case 'command':
      return `command ${check.command.join(' ')} exiting ${check.expectExit}`;
  }
}

async function prober(
  check: Exclude<CheckSpec, { kind: 'command' }>,
  deps: CheckDeps,
): Promise<{ run: (s: AbortSignal) => Promise<Probe>; wake?: (notify: () => void) => () => void }> {
  switch (check.kind) {
    case 'unit': {
      const systemd = await deps.systemd();
      return {
        run: async () => {
          let u;
          try {
            u = await systemd.unit(check.unit);
          } catch (error) {
            // systemd not answering (D-Bus restarting) says nothing about the unit: keep waiting.
            return { ok: false, detail: (error as Error).message };
          }
          const detail = u.loadState === 'not-found' ? 'unit not found' : `${u.activeState}/${u.subState}`;
          return {
            ok: u.activeState === 'active',
            final: u.activeState === 'failed',
            detail,
            observation: { activeState: u.activeState, subState: u.subState, nRestarts: u.nRestarts },
          };
        },
        wake: (notify) => {
          // A watch that cannot be set up leaves polling as the safety net; its rejection must be
          // handled now, not when the wait ends (an unhandled rejection kills the process).
          const stop = systemd.watchUnit(check.unit, () => notify()).catch(() => undefined);
          return () => void stop.then((s) => s?.()).catch(() => undefined);
        },
      };
    }
    case 'workload':
      return {
        run: async (signal) => {
          try {
            const api = await deps.microshift();
            const [w] = await api.workloads(
              [{ namespace: check.namespace, kind: check.resource, name: check.name }],
              signal,
            );
            return { ok: Boolean(w?.ready), detail: w?.detail ?? 'not found' };
          } catch (error) {
            return { ok: false, detail: (error as Error).message };
          }
        },
      };
    case 'http':
      return { run: (signal) => httpProbe(check, deps, signal) };
    case 'tcp':
      return { run: (signal) => tcpProbe(check.host, check.port, signal) };
  }
}

async function httpProbe(
  check: Extract<CheckSpec, { kind: 'http' }>,
  deps: CheckDeps,
  signal: AbortSignal,
): Promise<Probe> {
  const url = new URL(check.url);
  const ca = check.ca ? await deps.fs.readText(check.ca) : undefined;
  if (check.ca && ca === undefined) return { ok: false, final: true, detail: `CA file ${check.ca} does not exist` };
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = request(
      url,
      { method: 'GET', signal, timeout: 5000, ca, rejectUnauthorized: !check.insecureSkipVerify },
      (res) => {
        res.resume();
        const ok = res.statusCode === check.expectStatus;
        resolve({ ok, detail: `HTTP ${res.statusCode}`, observation: { status: res.statusCode } });
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 5s')));
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ ok: false, detail: error.code ?? error.message }));
    req.end();
  });
}

function tcpProbe(host: string, port: number, signal: AbortSignal): Promise<Probe> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, signal, timeout: 5000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve({ ok: true, detail: 'connected' });
    });
    socket.once('timeout', () => socket.destroy(new Error('no answer within 5s')));
    socket.once('error', (error: NodeJS.ErrnoException) => resolve({ ok: false, detail: error.code ?? error.message }));
  });
}

async function runCommand(
  check: Extract<CheckSpec, { kind: 'command' }>,
  timeoutMs: number,
  deps: CheckDeps,
  signal: AbortSignal,
): Promise<CheckReport> {
  const [file, ...args] = check.command;
  deps.log.info({ check: check.id }, `Running ${check.command.join(' ')} (up to ${Math.round(timeoutMs / 1000)}s)`);
  const result = await deps.exec
    .run(file as string, args, { timeoutMs, signal })
    .catch((error: Error) => ({ exitCode: 127, stdout: '', stderr: error.message, timedOut: false }));
  const output = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-5).join('\n');
  const observation = { exitCode: result.exitCode, output: output.slice(-2000) };
  if (signal.aborted)
    return { outcome: 'terminated', reason: 'terminated', message: 'stopped while the command ran', observation };
  if (result.timedOut)
    return {
      outcome: 'timeout',
      reason: 'command-timeout',
      message: `command ${check.command.join(' ')} did not finish within ${Math.round(timeoutMs / 1000)}s`,
      observation,
    };
  if (result.exitCode === check.expectExit)
    return {
      outcome: 'pass',
      reason: 'ok',
      message: `command ${check.command.join(' ')} exited ${result.exitCode}`,
      observation,
    };
  const last = output.split('\n').at(-1);
  return {
    outcome: 'fail',
    reason: 'command-failed',
    message: `command ${check.command.join(' ')} exited ${result.exitCode}${last ? `: ${last}` : ''}`,
    observation,
  };
}
