// Applies a pre-rollback plan (core/pre-rollback.ts): one step after another, each cut off at
// its own time limit and all of them at the total limit, so a stuck step never holds the reboot.
// Every step's result is returned for the boot record. Processes are only ever ended when CRI-O
// named them as MicroShift's before its pods were removed: a podman container's conmon survives.
import {
  backupsFor,
  BACKUP_DIR,
  podRemovalOrder,
  RESTORE_MARKER,
  type PreRollbackStep,
} from '../../core/pre-rollback.js';
import { raceDeadline } from '../../core/deadline.js';
import type { ActionResult } from '../../core/boot-record.js';
import type { Clock } from '../../host/clock.js';
import { readProcess, type Crio } from '../../host/crio.js';
import type { Exec } from '../../host/exec.js';
import type { HostFs } from '../../host/fs.js';
import type { Logger } from '../../host/log.js';
import type { Systemd } from '../../host/systemd.js';

export const OUR_MARKER_NOTE = '/var/lib/edge-agent/restore-marker.json';

export interface PreRollbackDeps {
  fs: HostFs;
  clock: Clock;
  exec: Exec;
  log: Logger;
  systemd: () => Promise<Systemd>;
  crio: () => Promise<Crio>;
  /** The Host's kill: refused in safe mode, so a dry run cannot end a process. */
  kill: (pid: number, signal: NodeJS.Signals) => Promise<void>;
  bootId: string;
}

interface ProcessRef {
  pid: number;
  comm: string;
  startTicks: number;
}

type StepOutcome = { outcome: 'done' | 'skipped' | 'failed' | 'warning'; message: string };

export async function applyPreRollback(
  steps: readonly PreRollbackStep[],
  deps: PreRollbackDeps,
  limits: { totalMs: number; stepMs: number },
): Promise<ActionResult[]> {
  const { clock, log } = deps;
  const deadline = clock.monotonic() + limits.totalMs;
  const snapshot: ProcessRef[] = [];
  const results: ActionResult[] = [];
  for (const step of steps) {
    const startedAt = new Date(clock.now()).toISOString();
    const remaining = deadline - clock.monotonic();
    let result: StepOutcome;
    if (remaining <= 0) {
      result = {
        outcome: 'skipped',
        message: `not started: the total time limit of ${Math.round(limits.totalMs / 1000)}s was reached`,
      };
    } else {
      const limit = Math.min(step.kind === 'hook' ? step.timeoutMs : limits.stepMs, remaining);
      const controller = new AbortController();
      // The step honours its own limit through the signal; this cut-off, a moment later, is for
      // a step that does not (a hung D-Bus call, a tool that ignores SIGTERM).
      try {
        const stepSignal = AbortSignal.any([controller.signal, AbortSignal.timeout(limit)]);
        result = await raceDeadline(runStep(step, deps, snapshot, stepSignal, limit), {
          clock,
          ms: limit + 1000,
          onTimeout: (): StepOutcome => ({ outcome: 'failed', message: `cut off after ${Math.round(limit / 1000)}s` }),
        });
      } catch (error) {
        result = { outcome: 'failed', message: (error as Error).message };
      } finally {
        controller.abort();
      }
    }
    const action = { id: step.id, startedAt, endedAt: new Date(clock.now()).toISOString(), ...result };
    const line = `Pre-rollback step ${step.id}: ${action.outcome}: ${action.message}`;
    if (action.outcome === 'failed' || action.outcome === 'warning')
      log.error({ step: step.id, outcome: action.outcome }, line);
    else log.info({ step: step.id, outcome: action.outcome }, line);
    results.push(action);
  }
  return results;
}

async function runStep(
  step: PreRollbackStep,
  deps: PreRollbackDeps,
  snapshot: ProcessRef[],
  signal: AbortSignal,
  limitMs: number,
): Promise<StepOutcome> {
  switch (step.kind) {
    case 'snapshot':
      return snapshotPodProcesses(deps, snapshot);
    case 'restore-marker':
      return createRestoreMarker(deps, step.rollbackDeploymentId);
    case 'stop-units':
      return stopUnits(deps, step.units, signal, limitMs);
    case 'remove-pods':
      return removePods(deps, step.lastNamespace, step.attempts, signal, limitMs);
    case 'end-processes':
      return endProcesses(deps, snapshot, step.names);
    case 'remove-paths':
      return removePaths(deps, step.paths);
    case 'hook':
      return runHook(deps, step.command, signal, limitMs);
  }
}

async function snapshotPodProcesses(deps: PreRollbackDeps, snapshot: ProcessRef[]): Promise<StepOutcome> {
  const crio = await deps.crio();
  if (!(await crio.available()))
    return { outcome: 'skipped', message: 'CRI-O is not answering (crictl): no pod processes to find' };
  for (const pod of await crio.pods()) {
    const pids = await crio.podPids(pod.id);
    const candidates = [
      pids.pause,
      pids.pauseConmonPid,
      ...pids.containers.flatMap((c) => [c.pid, c.conmonPid]),
    ].filter((p): p is number => typeof p === 'number' && p > 0);
    for (const pid of candidates) {
      const info = await readProcess(deps.fs, pid);
      if (info) snapshot.push({ pid, comm: info.comm, startTicks: info.startTicks });
    }
  }
  return {
    outcome: 'done',
    message: `${snapshot.length} processes of MicroShift's pods noted (${[...new Set(snapshot.map((p) => p.comm))].join(', ') || 'none'})`,
  };
}

async function createRestoreMarker(deps: PreRollbackDeps, deploymentId: string | undefined): Promise<StepOutcome> {
  const backups = backupsFor(deploymentId, await deps.fs.list(BACKUP_DIR));
  if (backups.length === 0) {
    return {
      outcome: 'warning',
      message: `NO MicroShift backup of the rollback deployment ${deploymentId ?? '(unknown)'} in ${BACKUP_DIR}: restore marker not created; MicroShift will start the old deployment on the current data`,
    };
  }
  if (await deps.fs.exists(RESTORE_MARKER))
    return { outcome: 'done', message: `${RESTORE_MARKER} already present (backup ${backups.at(-1)})` };
  await deps.fs.writeAtomic(RESTORE_MARKER, '', 0o644);
  // Remember that the marker is ours, so a later green boot may clear it if MicroShift did not.
  await deps.fs.writeAtomic(
    OUR_MARKER_NOTE,
    `${JSON.stringify({ createdAt: new Date(deps.clock.now()).toISOString(), bootId: deps.bootId, backup: backups.at(-1) })}\n`,
    0o600,
  );
  return { outcome: 'done', message: `created ${RESTORE_MARKER}: MicroShift will restore backup ${backups.at(-1)}` };
}

async function stopUnits(
  deps: PreRollbackDeps,
  units: string[],
  signal: AbortSignal,
  limitMs: number,
): Promise<StepOutcome> {
  const systemd = await deps.systemd();
  const done: string[] = [];
  for (const unit of units) {
    const state = await systemd.unit(unit);
    if (state.loadState === 'not-found') {
      done.push(`${unit} not installed`);
      continue;
    }
    if (state.activeState === 'inactive' || state.activeState === 'failed') {
      done.push(`${unit} already stopped`);
      continue;
    }
    const result = await systemd.stopUnit(unit, { signal, timeoutMs: limitMs });
    if (result !== 'done') return { outcome: 'failed', message: `stopping ${unit}: job ${result}` };
    done.push(`${unit} stopped`);
  }
  return { outcome: 'done', message: done.join(', ') };
}

async function removePods(
  deps: PreRollbackDeps,
  lastNamespace: string,
  attempts: number,
  signal: AbortSignal,
  limitMs: number,
): Promise<StepOutcome> {
  const crio = await deps.crio();
  if (!(await crio.available()))
    return { outcome: 'skipped', message: 'CRI-O is not answering (crictl): no pods to remove' };
  let removed = 0;
  let last = '';
  for (let attempt = 1; attempt <= attempts && !signal.aborted; attempt++) {
    const pods = podRemovalOrder(await crio.pods(), lastNamespace);
    if (pods.length === 0) return { outcome: 'done', message: removed ? `removed ${removed} pods` : 'no pods left' };
    // One namespace group at a time, OVN last: its pods provide the network the others tear down.
    const first = pods.filter((p) => p.namespace !== lastNamespace);
    for (const group of [first, pods.filter((p) => p.namespace === lastNamespace)]) {
      if (group.length === 0) continue;
      const results = await crio.removePods(
        group.map((p) => p.id),
        { signal, timeoutMs: limitMs },
      );
      removed += results.filter((r) => r.outcome === 'removed').length;
      const failed = results.filter((r) => r.outcome !== 'removed' && r.outcome !== 'gone');
      last =
        failed.map((r) => `${r.id.slice(0, 12)}: ${r.outcome}${r.reason ? ` (${r.reason})` : ''}`).join('; ') || last;
    }
    if (attempt < attempts) await deps.clock.sleep(200, signal).catch(() => undefined);
  }
  const left = (await crio.pods()).length;
  return left === 0
    ? { outcome: 'done', message: `removed ${removed} pods` }
    : { outcome: 'failed', message: `${left} pods left after ${attempts} attempts (${last})` };
}

async function endProcesses(deps: PreRollbackDeps, snapshot: ProcessRef[], names: string[]): Promise<StepOutcome> {
  const targets = snapshot.filter((p) => names.includes(p.comm));
  // Same pid and start time as noted: never a process that reused the pid.
  // A zombie has ended; it only waits for its parent to collect it.
  const isAlive = async (t: ProcessRef) => {
    const now = await readProcess(deps.fs, t.pid);
    return now !== undefined && now.startTicks === t.startTicks && now.state !== 'Z';
  };
  const alive = async () =>
    (await Promise.all(targets.map(async (t) => ((await isAlive(t)) ? t : undefined)))).filter(
      (t): t is ProcessRef => t !== undefined,
    );
  let left = await alive();
  if (left.length === 0)
    return {
      outcome: 'done',
      message: targets.length
        ? 'every MicroShift pod process had already ended'
        : 'no MicroShift pod processes were known',
    };
  // A process that ended meanwhile (ESRCH) is what we wanted; any other refusal (safe mode, EPERM)
  // means the step did not do its work, and says so instead of claiming the processes ended.
  const refusals: string[] = [];
  const signalAll = async (sig: NodeJS.Signals) => {
    for (const t of left)
      await deps.kill(t.pid, sig).catch((error: unknown) => {
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH')
          refusals.push(error instanceof Error ? error.message : String(error));
      });
  };
  await signalAll('SIGTERM');
  if (refusals.length) return { outcome: 'failed', message: `could not end MicroShift pod processes: ${refusals[0]}` };
  // Looked at again at once: processes that end on SIGTERM right away cost no wait.
  left = await alive();
  for (let i = 0; i < 20 && left.length > 0; i++) {
    await deps.clock.sleep(100);
    left = await alive();
  }
  const forced = left.length;
  if (forced) await signalAll('SIGKILL');
  if (refusals.length) return { outcome: 'failed', message: `could not end MicroShift pod processes: ${refusals[0]}` };
  return {
    outcome: 'done',
    message: `ended ${targets.length} MicroShift pod processes${forced ? ` (${forced} needed SIGKILL)` : ''}`,
  };
}

async function removePaths(deps: PreRollbackDeps, paths: string[]): Promise<StepOutcome> {
  const existed = [];
  for (const path of paths) {
    if (!(await deps.fs.exists(path))) continue;
    existed.push(path);
    await deps.fs.remove(path);
  }
  return { outcome: 'done', message: existed.length ? `removed ${existed.join(', ')}` : 'nothing left to remove' };
}

async function runHook(
  deps: PreRollbackDeps,
  command: string[],
  signal: AbortSignal,
  limitMs: number,
): Promise<StepOutcome> {
  const [file, ...args] = command;
  const result = await deps.exec.run(file as string, args, { signal, timeoutMs: limitMs });
  const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-3).join(' | ');
  // Either the tool's own timeout or the step's signal ended it: both mean the limit was hit.
  if (result.timedOut || signal.aborted)
    return { outcome: 'failed', message: `timed out after ${Math.round(limitMs / 1000)}s` };
  return result.exitCode === 0
    ? { outcome: 'done', message: tail || 'exit 0' }
    : { outcome: 'failed', message: `exit ${result.exitCode}${tail ? `: ${tail}` : ''}` };
}
