// The daemon's side of `status` (status-socket.ts): each connection gets the status gathered then,
// by the probes status itself uses, over one D-Bus connection the daemon keeps for them.
import { buildStatus } from '../core/status.js';
import type { StatusProbeDeps } from './status-probes.js';
import { createStatusProbes, DEFAULT_STATUS_LIMITS } from './status-probes.js';
import { STATUS_SOCKET_PATH, serveStatus, type StatusServer } from './status-socket.js';
import { createBusUnitReader } from './status-units.js';

export async function startStatusServer(deps: StatusProbeDeps): Promise<StatusServer> {
  const { host, log } = deps;
  const units = createBusUnitReader({ address: host.env.DBUS_SYSTEM_BUS_ADDRESS ?? 'unix:path=/run/dbus/system_bus_socket', timeoutMs: DEFAULT_STATUS_LIMITS.dbus });
  const server = await serveStatus(
    host.fs.resolve(STATUS_SOCKET_PATH),
    async () => {
      // New probes each time: the settings are read afresh, as a status run of its own would.
      const probes = createStatusProbes(deps, { units });
      try {
        const result = buildStatus(await probes.gather());
        return { ...result, agent: { ...result.agent, daemon: { ...result.agent.daemon, answered: true } } };
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
