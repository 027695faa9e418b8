// The daemon's side of `status` (host/status-socket.ts): each connection gets the status gathered then,
// by the probes status itself uses, over one D-Bus connection the daemon keeps for them. The
// daemon never loads the Kubernetes client for it (that would double its memory): MicroShift's
// API and workloads come from its own runtime health check. When that look is overdue, it does
// not answer, and status gathers everything itself, asking the API live.
import { currentMicroShiftLook, DAEMON_STATE_PATH, parseDaemonState } from '../../core/daemon-state.js';
import { buildStatus } from '../../core/status.js';
import { formatStatus } from '../../core/status-output.js';
import { withSyncReads } from '../../host/fs.js';
import type { StatusProbeDeps } from './probes.js';
import { createStatusProbes, DEFAULT_STATUS_LIMITS } from './probes.js';
import { STATUS_SOCKET_PATH, serveStatus, type StatusServer } from '../../host/status-socket.js';
import { createBusUnitReader } from './units.js';

export async function startStatusServer(deps: StatusProbeDeps): Promise<StatusServer> {
  const { host, log } = deps;
  // Blocking the daemon's loop for the ~1 ms of reads beats a hundred thread-pool trips.
  const fast = { ...host, fs: withSyncReads(host.fs) };
  const units = createBusUnitReader({
    address: host.env.DBUS_SYSTEM_BUS_ADDRESS ?? 'unix:path=/run/dbus/system_bus_socket',
    timeoutMs: DEFAULT_STATUS_LIMITS.dbus,
  });
  const server = await serveStatus(
    host.fs.resolve(STATUS_SOCKET_PATH),
    async (view) => {
      if (await microshiftLookOverdue(deps)) return undefined;
      // New probes each time: the settings are read afresh, as a status run of its own would.
      const probes = createStatusProbes({ ...deps, host: fast }, { units, askMicroShiftApi: false, writeCaches: true });
      try {
        const gathered = buildStatus(await probes.gather());
        const result = {
          ...gathered,
          agent: { ...gathered.agent, daemon: { ...gathered.agent.daemon, answered: true } },
        };
        return { exitCode: result.exitCode, output: formatStatus(result, view) };
      } finally {
        await probes.close();
      }
    },
    (message) => log.warn(message),
  );
  return {
    async close() {
      await server.close();
      await units.close();
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
