// The units `status` decides from, read through the systemd adapter's unitStates(): one round of
// small D-Bus calls for the states of all of them, then UnitFileState and NRestarts where they
// matter (see host/systemd-unit-states.ts for why not unit()).
import { failed, ok, WATCHED_UNITS, type Probe, type UnitFacts, type WatchedUnit } from '../../core/status/facts.js';
import type { Systemd } from '../../host/systemd.js';
import { describeFailure } from './limit.js';

export type UnitStates = Partial<Record<WatchedUnit, UnitFacts>>;

export interface UnitReader {
  read(signal: AbortSignal): Promise<Probe<UnitStates>>;
}

// Units whose unit file state status shows or decides from; restarts only matter for MicroShift.
const WITH_FILE_STATE: readonly WatchedUnit[] = ['healthcheck', 'microshift', 'daemon'];

export function createUnitReader(systemd: () => Promise<Systemd>, timeoutMs: number): UnitReader {
  const entries = Object.entries(WATCHED_UNITS) as [WatchedUnit, string][];
  return {
    async read(signal) {
      try {
        const briefs = await (
          await systemd()
        ).unitStates(
          entries.map(([, name]) => name),
          {
            signal,
            timeoutMs,
            fileState: WITH_FILE_STATE.map((key) => WATCHED_UNITS[key]),
            restarts: [WATCHED_UNITS.microshift],
          },
        );
        const states = entries.map(([key], i): [WatchedUnit, UnitFacts] => {
          const b = briefs[i];
          return [
            key,
            {
              loadState: b?.loadState ?? 'unknown',
              activeState: b?.activeState ?? 'unknown',
              subState: b?.subState ?? '',
              unitFileState: b?.unitFileState ?? '',
              nRestarts: b?.nRestarts,
            },
          ];
        });
        return ok(Object.fromEntries(states));
      } catch (error) {
        const why = describeFailure('systemd (D-Bus)', error);
        return why.state === 'ok' ? why : failed(why.state, why.note);
      }
    },
  };
}
