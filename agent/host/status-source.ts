// Where `status` gets its facts: from the running daemon when it answers (status-socket.ts), else
// gathered in this process. The local path is loaded only when it is needed: it is most of the
// code a cold start of `status` would otherwise compile.
import type { StatusResult } from '../core/status-schema.js';
import type { StatusProbeDeps, StatusProbes } from './status-probes.js';
import { STATUS_SOCKET_PATH, askDaemonStatus } from './status-socket.js';

/** A daemon that has not answered by then gets company: status gathers the facts itself too. */
const DAEMON_HEAD_START_MS = 250;
/** The daemon's own probes are bounded near 1.3 s; past this it is not coming. */
const DAEMON_LIMIT_MS = 1500;

export interface StatusSource {
  next(): Promise<StatusResult>;
  close(): Promise<void>;
}

export function createStatusSource(deps: StatusProbeDeps): StatusSource {
  const { host } = deps;
  // EDGE_AGENT_STATUS_DAEMON=0 always gathers in-process (benchmarks, and to rule the daemon out).
  const socket = host.env.EDGE_AGENT_STATUS_DAEMON === '0' ? undefined : host.fs.resolve(STATUS_SOCKET_PATH);
  let probes: Promise<{ probes: StatusProbes; build: (facts: Awaited<ReturnType<StatusProbes['gather']>>) => StatusResult }> | undefined;
  const local = async () => {
    probes ??= Promise.all([import('./status-probes.js'), import('../core/status.js')]).then(([p, s]) => ({ probes: p.createStatusProbes(deps), build: s.buildStatus }));
    const { probes: created, build } = await probes;
    return build(await created.gather());
  };

  return {
    async next() {
      if (!socket) return local();
      const asked = askDaemonStatus(socket, { timeoutMs: DAEMON_LIMIT_MS, signal: deps.signal });
      let timer: NodeJS.Timeout | undefined;
      const early = await Promise.race([asked, new Promise<'waiting'>((resolve) => (timer = setTimeout(() => resolve('waiting'), DAEMON_HEAD_START_MS)))]);
      clearTimeout(timer);
      if (early === undefined) return local();
      if (early !== 'waiting') return early;
      // A slow daemon (busy, or stalled until its watchdog fires): the first complete answer wins.
      const own = local();
      own.catch(() => undefined);
      return Promise.race([asked.then((answer) => answer ?? own), own]);
    },
    async close() {
      await (await probes?.catch(() => undefined))?.probes.close();
    },
  };
}
