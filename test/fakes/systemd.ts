// An in-memory systemd: units with state that tests change directly or by a script played on a
// clock; watchers hear each change (only real changes, like the adapter), jobs answer with a
// scripted result and move the unit the way systemd would.
import { HostError } from '../../agent/errors.js';
import type { Clock } from '../../agent/host/clock.js';
import type {
  JobOptions,
  JobResult,
  Systemd,
  SystemdVersion,
  UnitBrief,
  UnitFileState,
  UnitState,
  UnitStatesOptions,
} from '../../agent/host/systemd.js';

const ENABLED: readonly UnitFileState[] = ['enabled', 'enabled-runtime', 'static', 'alias', 'indirect', 'generated'];

/** A loaded, inactive, enabled unit, with the given changes. */
export function aUnit(name: string, patch: Partial<UnitState> = {}): UnitState {
  return {
    name,
    description: name,
    loadState: 'loaded',
    activeState: 'inactive',
    subState: 'dead',
    result: 'success',
    nRestarts: 0,
    unitFileState: 'enabled',
    mainPid: 0,
    fragmentPath: `/usr/lib/systemd/system/${name}`,
    ...patch,
  };
}

function notFound(name: string): UnitState {
  return aUnit(name, { loadState: 'not-found', unitFileState: '', fragmentPath: '', result: '' });
}

export interface ScriptStep {
  /** Wait this long on the clock after the previous step. */
  afterMs: number;
  patch: Partial<UnitState>;
}

export class FakeSystemd implements Systemd {
  /** Jobs run, as `start microshift.service`. */
  readonly jobs: string[] = [];
  /** The result the next jobs of a unit end with (default 'done'). */
  readonly jobResults = new Map<string, JobResult>();
  /** When set, every call rejects with it (the bus is down). */
  failure: HostError | undefined;
  reloads = 0;
  closed = false;
  private units = new Map<string, UnitState>();
  private watchers = new Map<string, Set<(state: UnitState) => void>>();

  constructor(units: UnitState[] = []) {
    for (const unit of units) this.units.set(unit.name, unit);
  }

  /** Change a unit's state; watchers hear it if anything changed. */
  setUnit(name: string, patch: Partial<UnitState>): UnitState {
    const before = this.units.get(name) ?? notFound(name);
    const after = { ...before, ...patch, name };
    this.units.set(name, after);
    if (JSON.stringify(before) !== JSON.stringify(after))
      for (const watcher of this.watchers.get(name) ?? []) watcher({ ...after });
    return after;
  }

  /** Apply steps one after another on the clock (a FakeClock runs them instantly). */
  async play(name: string, steps: readonly ScriptStep[], clock: Clock, signal?: AbortSignal): Promise<void> {
    for (const step of steps) {
      await clock.sleep(step.afterMs, signal);
      this.setUnit(name, step.patch);
    }
  }

  async unit(name: string): Promise<UnitState> {
    this.check();
    return { ...(this.units.get(name) ?? notFound(name)) };
  }

  async unitStates(names: readonly string[], options: UnitStatesOptions = {}): Promise<UnitBrief[]> {
    this.check();
    return names.map((name) => {
      const u = this.units.get(name) ?? notFound(name);
      const found = u.loadState !== 'not-found';
      return {
        name,
        loadState: u.loadState,
        activeState: u.activeState,
        subState: u.subState,
        unitFileState: found && options.fileState?.includes(name) ? u.unitFileState : '',
        ...(found && options.restarts?.includes(name) && { nRestarts: u.nRestarts }),
      };
    });
  }

  async watchUnit(
    name: string,
    onChange: (state: UnitState) => void,
    options: { signal?: AbortSignal } = {},
  ): Promise<() => Promise<void>> {
    this.check();
    const set = this.watchers.get(name) ?? new Set();
    this.watchers.set(name, set);
    const watcher = (state: UnitState) => onChange(state);
    set.add(watcher);
    const stop = async () => void set.delete(watcher);
    options.signal?.addEventListener('abort', () => void stop(), { once: true });
    onChange(await this.unit(name));
    return stop;
  }

  startUnit(name: string, options?: JobOptions): Promise<JobResult> {
    return this.job('start', name, options, { activeState: 'active', subState: 'running', result: 'success' });
  }

  stopUnit(name: string, options?: JobOptions): Promise<JobResult> {
    return this.job('stop', name, options, { activeState: 'inactive', subState: 'dead', mainPid: 0 });
  }

  restartUnit(name: string, options?: JobOptions): Promise<JobResult> {
    return this.job('restart', name, options, { activeState: 'active', subState: 'running', result: 'success' });
  }

  async reload(): Promise<void> {
    this.check();
    this.reloads += 1;
  }

  async unitFileState(name: string): Promise<UnitFileState | undefined> {
    this.check();
    const state = this.units.get(name)?.unitFileState;
    return state === undefined || state === '' ? undefined : state;
  }

  async isEnabled(name: string): Promise<boolean> {
    const state = await this.unitFileState(name);
    return state !== undefined && ENABLED.includes(state);
  }

  async unitFileExists(name: string): Promise<boolean> {
    return (await this.unitFileState(name)) !== undefined;
  }

  async version(): Promise<SystemdVersion> {
    this.check();
    return { text: '252 (252-32.el9_4)', major: 252 };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.watchers.clear();
  }

  private async job(
    verb: string,
    name: string,
    options: JobOptions = {},
    onDone: Partial<UnitState>,
  ): Promise<JobResult> {
    this.check();
    options.signal?.throwIfAborted();
    const unit = this.units.get(name);
    if (!unit || unit.loadState === 'not-found') throw new HostError('unit-not-found', `Unit ${name} not found.`);
    if (unit.loadState === 'masked') throw new HostError('unit-masked', `Unit ${name} is masked.`);
    this.jobs.push(`${verb} ${name}`);
    const result = this.jobResults.get(name) ?? 'done';
    if (result === 'done') this.setUnit(name, onDone);
    else if (verb !== 'stop') this.setUnit(name, { activeState: 'failed', subState: 'failed', result: 'exit-code' });
    return result;
  }

  private check(): void {
    if (this.closed) throw new HostError('systemd-closed', 'the systemd adapter was closed');
    if (this.failure) throw this.failure;
  }
}
