// `status`'s look at the MicroShift API on a busy machine: with every core kept busy by CPU
// hogs (bounded, killed afterwards), a healthy simulated API on loopback is never reported as
// "did not answer" — once it accepted the connection its answer gets its own, longer time. An API
// that accepts and never answers is called slow; one that refuses is called unreachable.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpsServer, type Server } from 'node:https';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHostFs } from '../../agent/host/fs.js';
import { probeStatusMicroShift } from '../../agent/commands/status/microshift.js';
import { DEFAULT_STATUS_LIMITS } from '../../agent/commands/status/probes.js';
import { renderKubeconfig, simCerts, type SimCerts } from '../harness/microshift/certs.js';
import { parseScenario, scenario } from '../harness/microshift/scenario.js';
import { startApiServer, type ApiServer } from '../harness/microshift/server.js';

let certs: SimCerts;
let server: ApiServer;
let dir: string;
const hogs: ChildProcess[] = [];

beforeAll(async () => {
  certs = await simCerts();
  dir = await mkdtemp(join(tmpdir(), 'status-load-'));
  server = await startApiServer({
    scenario: parseScenario(scenario('healthy')),
    tls: { ca: certs.ca, cert: certs.serverCert, key: certs.serverKey },
    port: 0,
    tickMs: 20,
  });
}, 60_000);

afterAll(async () => {
  for (const hog of hogs) hog.kill('SIGKILL');
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function kubeconfigFor(port: number, name: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, renderKubeconfig(certs, `https://127.0.0.1:${port}`));
  return path;
}

function probe(kubeconfig: string, answerTimeoutMs = DEFAULT_STATUS_LIMITS.microshiftAnswer) {
  return probeStatusMicroShift(createHostFs(), {
    unit: undefined,
    daemon: undefined,
    kubeconfig,
    workloads: undefined,
    now: Date.now(),
    signal: AbortSignal.timeout(30_000),
    callTimeoutMs: DEFAULT_STATUS_LIMITS.microshift,
    answerTimeoutMs,
  });
}

/** One more spinning process than there are cores, each ending itself after `seconds`. */
function startHogs(seconds: number): void {
  for (let i = 0; i <= availableParallelism(); i++)
    hogs.push(
      spawn(process.execPath, ['-e', `const end = Date.now() + ${seconds * 1000}; while (Date.now() < end);`], {
        stdio: 'ignore',
      }),
    );
}

describe('the MicroShift API in status, under load', () => {
  it('a healthy API is never reported as not answering while every core is busy', async () => {
    const kubeconfig = await kubeconfigFor(server.port, 'healthy.kubeconfig');
    // Warm: the client chunk is loaded once per process; and the simulated API reports ready a
    // few ticks after it starts, so wait for a healthy answer before the load begins.
    const readyBy = Date.now() + 30_000;
    for (;;) {
      const warm = await probe(kubeconfig);
      expect(warm.state).toBe('ok');
      if (warm.state === 'ok' && warm.value.api.state === 'ok' && warm.value.api.value.ready) break;
      expect(Date.now(), 'the simulated API never became ready').toBeLessThan(readyBy);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    startHogs(90);
    const notes: string[] = [];
    const durations: number[] = [];
    for (let i = 0; i < 10; i++) {
      const started = performance.now();
      const facts = await probe(kubeconfig);
      durations.push(performance.now() - started);
      if (facts.state !== 'ok') notes.push(`${facts.state}: ${facts.note}`);
      else if (facts.value.api.state !== 'ok') notes.push(`api ${facts.value.api.state}: ${facts.value.api.note}`);
      else if (!facts.value.api.value.ready) notes.push('api not ready');
    }
    process.stdout.write(
      `status-microshift-load: 10 probes under ${availableParallelism() + 1} hogs, slowest ${Math.round(Math.max(...durations))} ms\n`,
    );
    expect(notes).toEqual([]);
  }, 120_000);

  it('an API that accepts the connection and never answers is called slow, after the answer limit', async () => {
    const silent: Server = createHttpsServer({ cert: certs.serverCert, key: certs.serverKey }, () => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as { port: number }).port;
      const facts = await probe(await kubeconfigFor(port, 'silent.kubeconfig'), 1500);
      expect(facts.state).toBe('ok');
      if (facts.state !== 'ok') return;
      expect(facts.value.api).toEqual({
        state: 'timed-out',
        note: 'the API is slow: connected, but no answer within 1500ms',
      });
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  }, 60_000);

  it('an API that refuses the connection is called unreachable', async () => {
    const closed = createHttpsServer({ cert: certs.serverCert, key: certs.serverKey });
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const facts = await probe(await kubeconfigFor(port, 'refused.kubeconfig'));
    expect(facts.state === 'ok' && facts.value.api).toEqual({
      state: 'error',
      note: `the API is not reachable: connection refused at https://127.0.0.1:${port}`,
    });
  }, 60_000);
});
