// The daemon's side of `status`: root's requests on its socket (host/status-socket.ts) and the
// snapshot any user reads (core/status/snapshot.ts). Each connection gets the status gathered then,
// by the probes status itself uses, over one D-Bus connection the daemon keeps for them. The
// daemon never asks the API for it (a second look, on every status call): MicroShift's
// API and workloads come from its own runtime health check. When that look is overdue, it does
// not answer, and status gathers everything itself, asking the API live.
import { currentMicroShiftLook, DAEMON_STATE_PATH, parseDaemonState } from '../../core/daemon-state.js';
import { buildStatus } from '../../core/status/status.js';
import type { StatusResult } from '../../core/status/schema.js';
import { planSnapshot } from '../../core/status/snapshot-plan.js';
import { SNAPSHOT_EVERY_MS, STATUS_SNAPSHOT_PATH } from '../../core/status/snapshot.js';
import { formatStatus } from '../../core/status/output.js';
import { withSyncReads } from '../../host/fs.js';
import type { StatusProbeDeps } from './probes.js';
import { createStatusProbes, DEFAULT_STATUS_LIMITS } from './probes.js';
import { STATUS_SOCKET_PATH, serveStatus, type StatusServer } from '../../host/status-socket.js';
import { createUnitReader } from './units.js';
import { keepReadiness } from './readiness.js';

/** How long the daemon keeps its readiness look for status (see keepReadiness). */
const READINESS_EVERY_MS = 10 * 60_000;

export async function startStatusServer(deps: StatusProbeDeps): Promise<StatusServer> {
  const { host, log } = deps;
  // Blocking the daemon's loop for the ~1 ms of reads beats a hundred thread-pool trips.
  const fast = { ...host, fs: withSyncReads(host.fs) };
  // The daemon's own systemd connection answers these too: one D-Bus connection for everything.
  const units = createUnitReader(host.systemd, DEFAULT_STATUS_LIMITS.dbus);
  const readiness = keepReadiness(host.clock, READINESS_EVERY_MS);
  /** The status as of now, or undefined when the daemon's facts would not be current. */
  const gatherNow = async (): Promise<StatusResult | undefined> => {
    if (await microshiftLookOverdue(deps)) return undefined;
    // New probes each time: the settings are read afresh, as a status run of its own would.
    const probes = createStatusProbes(
      { ...deps, host: fast },
      { units, askMicroShiftApi: false, writeCaches: true, readiness },
    );
    const gathered = buildStatus(await probes.gather());
    return { ...gathered, agent: { ...gathered.agent, daemon: { ...gathered.agent.daemon, answered: true } } };
  };
  // A request that arrives while a gathering is under way (for the snapshot or another request)
  // shares it: that gathering started moments ago, and a busy daemon does not do the work twice.
  let inflight: Promise<StatusResult | undefined> | undefined;
  const gather = () => (inflight ??= gatherNow().finally(() => (inflight = undefined)));
  const server = await serveStatus(
    host.fs.resolve(STATUS_SOCKET_PATH),
    async (view) => {
      const result = await gather();
      return result && { exitCode: result.exitCode, output: formatStatus(result, view) };
    },
    (message) => log.warn(message),
  );
  const snapshots = keepSnapshot(deps, gather);
  return {
    async close() {
      await snapshots.close();
      await server.close();
    },
  };
}

/**
 * Gather a snapshot now and every SNAPSHOT_EVERY_MS (core/status/snapshot.ts). One that cannot be
 * current is removed rather than left to age: status then gathers for itself.
 */
function keepSnapshot(
  { host, log }: StatusProbeDeps,
  gather: () => Promise<StatusResult | undefined>,
): { close(): Promise<void> } {
  let running: Promise<void> | undefined;
  let warned = false;
  const refresh = async () => {
    const result = await gather();
    const bootId = result?.device.bootId;
    if (!result || !bootId) return host.fs.remove(STATUS_SNAPSHOT_PATH);
    const snapshot = planSnapshot(result, bootId, host.clock.now());
    await host.fs.writeAtomic(STATUS_SNAPSHOT_PATH, `${JSON.stringify(snapshot)}\n`, 0o644);
  };
  const tick = () => {
    // A gathering still under way (a slow D-Bus) is not started twice.
    running ??= refresh()
      .then(
        () => void (warned = false),
        (error: unknown) => {
          if (!warned) log.warn(`status snapshot: ${(error as Error).message}`);
          warned = true;
        },
      )
      .finally(() => (running = undefined));
  };
  tick();
  const timer = setInterval(tick, SNAPSHOT_EVERY_MS);
  timer.unref();
  return {
    async close() {
      clearInterval(timer);
      await running;
      // A stopped daemon keeps nothing current: status must not show its last look as now.
      await host.fs.remove(STATUS_SNAPSHOT_PATH).catch(() => undefined);
    },
  };
}

/** The daemon has looked at MicroShift, but too long ago to show as current. */
async function microshiftLookOverdue({ host }: StatusProbeDeps): Promise<boolean> {
  const text = await host.fs.readText(DAEMON_STATE_PATH).catch(() => undefined);
  let state;
  try {
    state = text === undefined ? undefined : parseDaemonState(JSON.parse(text));
  } catch {
    return false;
  }
  return state?.microshift !== undefined && currentMicroShiftLook(state, host.clock.now()) === undefined;
}
