// The pre-rollback step that ends MicroShift's pod processes sends its signals through the Host's
// kill, never process.kill: in safe mode (--dry-run, tests) the adapter refuses, and the step says it
// could not end them instead of claiming it did. With a kill that works, the noted process is
// signalled (same pid, same start time) and the step is done.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { applyPreRollback } from '../../../agent/commands/boot/pre-rollback.js';
import type { PreRollbackStep } from '../../../agent/core/pre-rollback.js';
import type { Crio } from '../../../agent/host/crio.js';
import { createLogger } from '../../../agent/host/log.js';
import { putFile } from '../../fakes/command.js';
import { FakeClock } from '../../fakes/clock.js';
import { fakeHost, type FakeHost } from '../../fakes/host.js';

const PID = 4242;
const steps: PreRollbackStep[] = [
  { id: 'snapshot-pod-processes', kind: 'snapshot' },
  { id: 'end-pod-processes', kind: 'end-processes', names: ['pause'] },
];
// /proc/<pid>/stat as the kernel writes it: comm in parentheses, start time the 22nd field.
const stat = (state: string) => `${PID} (pause) ${state} 1 ${Array.from({ length: 17 }, () => '0').join(' ')} 777 0\n`;
const crio = {
  available: async () => true,
  pods: async () => [{ id: 'pod-a' }],
  podPids: async () => ({ pause: PID, containers: [] }),
} as unknown as Crio;

let host: FakeHost;
beforeEach(async () => {
  // A clock that never moves by itself: the steps' time limits must not cut the file reads short.
  host = fakeHost({ root: await mkdtemp(join(tmpdir(), 'pre-rollback-kill-')), clock: new FakeClock() });
  await putFile(host, `/proc/${PID}/stat`, stat('S'));
});
afterEach(async () => rm(host.root, { recursive: true, force: true }));

const deps = (kill: FakeHost['kill']) => ({
  ...host,
  kill,
  crio: async () => crio,
  log: createLogger({ format: 'json', write: () => undefined }),
  bootId: 'b'.repeat(32),
});

it('in safe mode the Host refuses the signal and the step fails, naming the refusal', async () => {
  const actions = await applyPreRollback(steps, deps(host.kill), { totalMs: 60_000, stepMs: 30_000 });
  const end = actions.find((a) => a.id === 'end-pod-processes');
  expect(end).toMatchObject({ outcome: 'failed' });
  expect(end?.message).toMatch(
    /could not end MicroShift pod processes: refused to send SIGTERM to process 4242 in safe mode/,
  );
});

it('with a kill that works, the noted process gets SIGTERM and the step is done once it ended', async () => {
  const sent: string[] = [];
  const kill = async (pid: number, signal: NodeJS.Signals) => {
    sent.push(`${pid} ${signal}`);
    await putFile(host, `/proc/${PID}/stat`, stat('Z')); // ended; waits for its parent
  };
  const actions = await applyPreRollback(steps, deps(kill), { totalMs: 60_000, stepMs: 30_000 });
  expect(sent).toEqual([`${PID} SIGTERM`]);
  expect(actions.find((a) => a.id === 'end-pod-processes')).toMatchObject({
    outcome: 'done',
    message: 'ended 1 MicroShift pod processes',
  });
});

it('a process that ended before the signal (ESRCH) is not a failure', async () => {
  const kill = async () => {
    await putFile(host, `/proc/${PID}/stat`, stat('Z'));
    throw Object.assign(new Error('kill ESRCH'), { code: 'ESRCH' });
  };
  const actions = await applyPreRollback(steps, deps(kill), { totalMs: 60_000, stepMs: 30_000 });
  expect(actions.find((a) => a.id === 'end-pod-processes')).toMatchObject({ outcome: 'done' });
});
