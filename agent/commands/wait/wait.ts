// `edge-agent wait --green [--timeout SEC] [--json]`: wait until this boot is declared good.
// Exit 0 green, 1 red, 2 timed out (ExitCode.Ok/Failed/Pending). The verdict is the one every
// other command shows (core/verdict/boot-verdict.ts): this boot's record, greenboot's units and
// the grubenv; checking and unknown both mean "keep waiting".
// Unit changes arrive over D-Bus as they happen; the record and the grubenv are read every second.
import {
  decideBootVerdict,
  type BootVerdictDecision,
  type BootVerdictInputs,
} from '../../core/verdict/boot-verdict.js';
import { recordInput, unitInput, type RecordLike } from '../../core/verdict/verdict-inputs.js';
import { waitAction } from '../../core/verdict/verdict-views.js';
import { waitUntil } from '../../core/wait.js';
import { UsageError } from '../../errors.js';
import { ExitCode } from '../../exit-codes.js';
import { createBootFacts } from '../../host/system-facts.js';
import type { Systemd, UnitState } from '../../host/systemd.js';
import { createGrubEnvReader, type GrubEnvReader } from '../../host/grubenv.js';
import { GREENBOOT_UNITS, readGrubenvInput } from '../../host/verdict-probe.js';
import type { CommandMain, Deps } from '../types.js';

type UnitKey = keyof typeof GREENBOOT_UNITS;
type Units = Exclude<BootVerdictInputs['units'], 'past-boot'>;
const POLL_MS = 1000;
// The shared wait loop sleeps with one timer: keep each round below setTimeout's 24.8-day limit.
const ROUND_MS = 24 * 3600 * 1000;

export const main: CommandMain = async ({ flags }, deps) => {
  if (!flags.green)
    throw new UsageError('wait needs --green: it waits until this boot is declared good (see edge-agent wait --help)');
  const timeoutSec = parseTimeout(flags.timeout);
  const { host, log, signal } = deps;
  const started = host.clock.monotonic();
  const bootFacts = createBootFacts({ fs: host.fs, clock: host.clock });
  const [bootId, greenboot] = await Promise.all([bootFacts.bootId(), bootFacts.greenbootImplementation()]);
  const records = await host.records();
  const units = new GreenbootUnitStates(deps, host.systemd);
  const probe = createVerdictProbe({
    readRecord: () => records.read(bootId),
    units,
    grubenv: createGrubEnvReader({ fs: host.fs }),
    greenboot,
  });
  try {
    await units.watch();
    const decided = (d: BootVerdictDecision) => waitAction(d.verdict) !== 'wait';
    // Always look once, also when the deadline passed while connecting: 0 means "check once".
    let last = decideBootVerdict(await probe());
    let outcome: BootVerdictDecision | undefined = decided(last) || timeoutSec === 0 ? last : undefined;
    if (!outcome) {
      const deadline = timeoutSec === undefined ? Infinity : started + timeoutSec * 1000;
      while (!outcome && !signal.aborted) {
        const roundEnd = Math.min(deadline, host.clock.monotonic() + ROUND_MS);
        outcome = await waitUntil<BootVerdictInputs, BootVerdictDecision | undefined>({
          clock: host.clock,
          deadline: roundEnd,
          signal,
          pollMs: POLL_MS,
          probe,
          assess: (inputs) => {
            last = decideBootVerdict(inputs);
            return decided(last) ? { done: true, result: last } : { done: false, progress: last.reason };
          },
          onDeadline: (seen) => (roundEnd >= deadline ? (seen ? decideBootVerdict(seen) : last) : undefined),
          onAbort: () => undefined,
          wake: (notify) => units.onChange(notify),
          onProgress: (progress) => log.info(`Still waiting for this boot to be declared good: ${progress}`),
          progressEveryMs: 60_000,
        });
      }
    }
    const seen = outcome ?? last;
    const action = waitAction(seen.verdict);
    const result = {
      bootId,
      // green and red end the wait; anything else is still pending when the time is up.
      verdict: action === 'release' ? ('green' as const) : action === 'fail' ? ('red' as const) : ('pending' as const),
      state: seen.verdict,
      code: seen.code,
      reason: seen.reason,
      waitedMs: Math.round(host.clock.monotonic() - started),
      timeoutSec: timeoutSec ?? null,
    };
    deps.out(flags.json ? `${JSON.stringify({ schema: 1, ...result }, null, 2)}\n` : render(result));
    return action === 'release' ? ExitCode.Ok : action === 'fail' ? ExitCode.Failed : ExitCode.Pending;
  } finally {
    await units.stop();
  }
};

/** One look at this boot's verdict inputs, as `wait` takes it every second. */
export function createVerdictProbe(options: {
  readRecord: () => Promise<RecordLike | undefined>;
  units: Pick<GreenbootUnitStates, 'current'>;
  grubenv: GrubEnvReader;
  greenboot: BootVerdictInputs['greenboot'];
}): () => Promise<BootVerdictInputs> {
  return async () => {
    const [record, grubenv, units] = await Promise.all([
      options.readRecord().then(
        (r) => (r ? recordInput(r) : ('none' as const)),
        () => 'unreadable' as const,
      ),
      readGrubenvInput(options.grubenv),
      options.units.current(),
    ]);
    return { record, units, grubenv, greenboot: options.greenboot };
  };
}

/** The latest state of greenboot's units: from D-Bus signals while the watch holds, else read per probe. */
export class GreenbootUnitStates {
  private states: Partial<Record<UnitKey, ReturnType<typeof unitInput>>> = {};
  private watching = false;
  private unreachableNote: string | undefined;
  private stops: Array<() => Promise<void>> = [];
  private listeners = new Set<() => void>();
  private warned = false;

  constructor(
    private readonly deps: Pick<Deps, 'log' | 'signal'>,
    private readonly systemd: () => Promise<Systemd>,
  ) {}

  async watch(): Promise<void> {
    try {
      const systemd = await this.systemd();
      for (const key of Object.keys(GREENBOOT_UNITS) as UnitKey[]) {
        const stop = await systemd.watchUnit(GREENBOOT_UNITS[key], (state) => this.set(key, state), {
          signal: this.deps.signal,
          // A lost connection ends the watch: read the units on each probe from then on.
          onError: () => void (this.watching = false),
        });
        this.stops.push(stop);
      }
      this.watching = true;
      this.unreachableNote = undefined;
    } catch (error) {
      this.unreachable(error);
    }
  }

  async current(): Promise<Units> {
    if (!this.watching) {
      try {
        const systemd = await this.systemd();
        for (const key of Object.keys(GREENBOOT_UNITS) as UnitKey[])
          this.set(key, await systemd.unit(GREENBOOT_UNITS[key], { signal: this.deps.signal }));
        this.unreachableNote = undefined;
      } catch (error) {
        this.unreachable(error);
      }
    }
    if (this.unreachableNote !== undefined) return { unreachable: this.unreachableNote };
    const units: Units = {};
    for (const [key, unit] of Object.entries(this.states)) if (unit) units[key as UnitKey] = unit;
    return units;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  async stop(): Promise<void> {
    await Promise.all(this.stops.splice(0).map((s) => s().catch(() => undefined)));
  }

  private set(key: UnitKey, state: UnitState): void {
    const value = unitInput(state);
    if (JSON.stringify(this.states[key]) === JSON.stringify(value)) return;
    this.states[key] = value;
    for (const listener of this.listeners) listener();
  }

  private unreachable(error: unknown): void {
    this.unreachableNote = (error as Error).message;
    if (this.warned) return;
    this.warned = true;
    this.deps.log.warn(
      `systemd is not reachable over D-Bus (${(error as Error).message}): deciding from this boot's record and the grubenv until it is`,
    );
  }
}

function parseTimeout(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  if (!/^\d+(\.\d+)?$/.test(text))
    throw new UsageError(`--timeout must be a number of seconds, 0 to check once (got '${text}')`);
  return Number(text);
}

function render(r: { verdict: string; reason: string; waitedMs: number; timeoutSec: number | null }): string {
  const after = `after ${(r.waitedMs / 1000).toFixed(1)} s`;
  if (r.verdict === 'green') return `Boot is GREEN (${r.reason}) ${after}\n`;
  if (r.verdict === 'red') return `Boot is RED (${r.reason}) ${after}\n`;
  return `No verdict yet ${after}${r.timeoutSec === null ? '' : ` (--timeout ${r.timeoutSec})`}: ${r.reason}\n`;
}
