// `edge-agent wait --green [--timeout SEC] [--json]`: wait until this boot is declared good.
// Exit 0 green, 1 red, 2 timed out (ExitCode.Ok/Failed/Pending). The truth, in order: this
// boot's record (`edge-agent boot green|red`), then greenboot's units: boot-complete.target
// active = green; redboot.target started or greenboot-healthcheck.service failed = red.
// Unit changes arrive over D-Bus as they happen; the record is read every second.
import { decideBootVerdict, type BootVerdict, type BootVerdictFacts } from '../../core/gate.js';
import { waitUntil } from '../../core/wait.js';
import { UsageError } from '../../errors.js';
import { ExitCode } from '../../exit-codes.js';
import { createBootFacts } from '../../host/system-facts.js';
import type { Systemd, UnitState } from '../../host/systemd.js';
import type { CommandMain, Deps } from '../types.js';

const UNITS = {
  bootComplete: 'boot-complete.target',
  redboot: 'redboot.target',
  healthcheck: 'greenboot-healthcheck.service',
} as const;
type UnitKey = keyof typeof UNITS;
const POLL_MS = 1000;
// The shared wait loop sleeps with one timer: keep each round below setTimeout's 24.8-day limit.
const ROUND_MS = 24 * 3600 * 1000;

export const main: CommandMain = async ({ flags }, deps) => {
  if (!flags.green)
    throw new UsageError('wait needs --green: it waits until this boot is declared good (see edge-agent wait --help)');
  const timeoutSec = parseTimeout(flags.timeout);
  const { host, log, signal } = deps;
  const started = host.clock.monotonic();
  const bootId = await createBootFacts({ fs: host.fs, clock: host.clock }).bootId();
  const records = await host.records();
  const units = new UnitStates(deps, host.systemd);
  try {
    await units.watch();
    const probe = async (): Promise<BootVerdictFacts> => {
      const record = await records.read(bootId).catch(() => undefined);
      return { recordVerdict: record?.verdict, ...(await units.current()) };
    };
    // Always look once, also when the deadline passed while connecting: 0 means "check once".
    const first = decideBootVerdict(await probe());
    let outcome: BootVerdict | undefined = first.verdict !== 'pending' || timeoutSec === 0 ? first : undefined;
    if (!outcome) {
      const deadline = timeoutSec === undefined ? Infinity : started + timeoutSec * 1000;
      while (!outcome && !signal.aborted) {
        const roundEnd = Math.min(deadline, host.clock.monotonic() + ROUND_MS);
        outcome = await waitUntil<BootVerdictFacts, BootVerdict | undefined>({
          clock: host.clock,
          deadline: roundEnd,
          signal,
          pollMs: POLL_MS,
          probe,
          assess: (facts) => {
            const verdict = decideBootVerdict(facts);
            return verdict.verdict === 'pending'
              ? { done: false, progress: describePending(facts) }
              : { done: true, result: verdict };
          },
          onDeadline: (last) => (roundEnd >= deadline ? decideBootVerdict(last ?? {}) : undefined),
          onAbort: () => undefined,
          wake: (notify) => units.onChange(notify),
          onProgress: (progress) => log.info(`Still waiting for this boot to be declared good: ${progress}`),
          progressEveryMs: 60_000,
        });
      }
    }
    const result = {
      bootId,
      ...(outcome ?? { verdict: 'pending' as const, source: 'none' as const }),
      waitedMs: Math.round(host.clock.monotonic() - started),
      timeoutSec: timeoutSec ?? null,
    };
    deps.out(flags.json ? `${JSON.stringify({ schema: 1, ...result }, null, 2)}\n` : render(result));
    return result.verdict === 'green' ? ExitCode.Ok : result.verdict === 'red' ? ExitCode.Failed : ExitCode.Pending;
  } finally {
    await units.stop();
  }
};

/** The latest ActiveState of greenboot's units: from D-Bus signals while the watch holds, else read per probe. */
class UnitStates {
  private states: Partial<Record<UnitKey, string>> = {};
  private watching = false;
  private stops: Array<() => Promise<void>> = [];
  private listeners = new Set<() => void>();
  private warned = false;

  constructor(
    private readonly deps: Deps,
    private readonly systemd: () => Promise<Systemd>,
  ) {}

  async watch(): Promise<void> {
    try {
      const systemd = await this.systemd();
      for (const key of Object.keys(UNITS) as UnitKey[]) {
        const stop = await systemd.watchUnit(UNITS[key], (state) => this.set(key, state), {
          signal: this.deps.signal,
          // A lost connection ends the watch: read the units on each probe from then on.
          onError: () => void (this.watching = false),
        });
        this.stops.push(stop);
      }
      this.watching = true;
    } catch (error) {
      this.unreachable(error);
    }
  }

  async current(): Promise<Omit<BootVerdictFacts, 'recordVerdict'>> {
    if (!this.watching) {
      try {
        const systemd = await this.systemd();
        for (const key of Object.keys(UNITS) as UnitKey[])
          this.set(key, await systemd.unit(UNITS[key], { signal: this.deps.signal }));
      } catch (error) {
        this.unreachable(error);
      }
    }
    return { ...this.states };
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  async stop(): Promise<void> {
    await Promise.all(this.stops.splice(0).map((s) => s().catch(() => undefined)));
  }

  private set(key: UnitKey, state: UnitState): void {
    const value = state.loadState === 'not-found' ? undefined : state.activeState;
    if (this.states[key] === value) return;
    this.states[key] = value;
    for (const listener of this.listeners) listener();
  }

  private unreachable(error: unknown): void {
    if (this.warned) return;
    this.warned = true;
    this.deps.log.warn(
      `systemd is not reachable over D-Bus (${(error as Error).message}): deciding from this boot's record only until it is`,
    );
  }
}

function describePending(facts: BootVerdictFacts): string {
  if (facts.healthcheck === undefined)
    return 'greenboot-healthcheck.service is not installed: only boot-complete.target or edge-agent boot green|red can decide';
  if (facts.healthcheck === 'activating') return 'greenboot health checks are running';
  return `greenboot-healthcheck.service is ${facts.healthcheck}, boot-complete.target is ${facts.bootComplete ?? 'not loaded'}`;
}

function parseTimeout(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  if (!/^\d+(\.\d+)?$/.test(text))
    throw new UsageError(`--timeout must be a number of seconds, 0 to check once (got '${text}')`);
  return Number(text);
}

function render(r: { verdict: string; source: string; waitedMs: number; timeoutSec: number | null }): string {
  const after = `after ${(r.waitedMs / 1000).toFixed(1)} s`;
  if (r.verdict === 'green')
    return `Boot is GREEN (${r.source === 'record' ? "this boot's record" : `${r.source} reached`}) ${after}\n`;
  if (r.verdict === 'red')
    return `Boot is RED (${r.source === 'record' ? "this boot's record" : r.source === 'redboot.target' ? 'redboot.target started' : `${r.source} failed`}) ${after}\n`;
  return `No verdict yet ${after}${r.timeoutSec === null ? '' : ` (--timeout ${r.timeoutSec})`}: greenboot's checks have not finished\n`;
}
