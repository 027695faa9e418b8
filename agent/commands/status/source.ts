// Where `status` gets its output: from the running daemon when it answers (host/status-socket.ts),
// else from the snapshot it keeps (snapshot.ts), else gathered and formatted in this process. The local path is loaded only when it is needed: it is
// most of the code a cold start of `status` would otherwise compile.
import type { formatStatus } from '../../core/status/output.js';
import type { StatusResult } from '../../core/status/schema.js';
import type { StatusView } from '../../core/status/view.js';
import { withSyncReads } from '../../host/fs.js';
import { answerFromSnapshot } from './snapshot.js';
import type { StatusProbeDeps } from './probes.js';
import {
  DAEMON_FAST_ANSWER_MS,
  STATUS_SOCKET_PATH,
  askDaemonStatus,
  type StatusAnswer,
} from '../../host/status-socket.js';

/** The daemon's own probes are bounded near 1.3 s; past this it is not coming. */
const DAEMON_LIMIT_MS = 1500;

export interface StatusSource {
  next(view: StatusView): Promise<StatusAnswer>;
}

export function createStatusSource(deps: StatusProbeDeps): StatusSource {
  const { host } = deps;
  // EDGE_AGENT_STATUS_DAEMON=0 always gathers in-process (benchmarks, and to rule the daemon out).
  // The daemon formats times in the system's zone: with TZ set, this process formats them itself.
  const socket = host.env.EDGE_AGENT_STATUS_DAEMON === '0' ? undefined : host.fs.resolve(STATUS_SOCKET_PATH);
  const daemonFormats = host.env.TZ === undefined;
  let loaded: Promise<{ gather: () => Promise<StatusResult>; format: typeof formatStatus }> | undefined;
  const load = () =>
    (loaded ??= Promise.all([
      import('./probes.js'),
      import('../../core/status/status.js'),
      import('../../core/status/output.js'),
    ]).then(([p, s, o]) => {
      // A status run may block on its reads: it has nothing else to do meanwhile.
      const probes = p.createStatusProbes({ ...deps, host: { ...host, fs: withSyncReads(host.fs) } });
      return {
        gather: async () => s.buildStatus(await probes.gather()),
        format: o.formatStatus,
      };
    }));
  const local = async (view: StatusView): Promise<StatusAnswer> => {
    const { gather, format } = await load();
    const result = await gather();
    return { exitCode: result.exitCode, output: format(result, view) };
  };
  const fromDaemon = async (view: StatusView): Promise<StatusAnswer | undefined> => {
    if (!socket) return undefined;
    if (daemonFormats) return askDaemonStatus(socket, view, { timeoutMs: DAEMON_LIMIT_MS, signal: deps.signal });
    const raw = await askDaemonStatus(
      socket,
      { ...view, format: 'json-line' },
      { timeoutMs: DAEMON_LIMIT_MS, signal: deps.signal },
    );
    if (!raw || view.format === 'json-line') return raw;
    const { formatStatus } = await import('../../core/status/output.js');
    return { exitCode: raw.exitCode, output: formatStatus(JSON.parse(raw.output) as StatusResult, view) };
  };

  // For everyone but root, who asks the daemon itself; formatted here, so TZ is honoured.
  const fromSnapshot = async (view: StatusView): Promise<StatusAnswer | undefined> =>
    socket && !host.isRoot
      ? answerFromSnapshot((path) => host.fs.readText(path).catch(() => undefined), view, host.clock.now())
      : undefined;

  return {
    async next(view) {
      const asked = fromDaemon(view);
      let timer: NodeJS.Timeout | undefined;
      // A daemon that has not answered by then gets company: status gathers the facts itself too.
      const early = await Promise.race([
        asked,
        new Promise<'waiting'>((resolve) => (timer = setTimeout(() => resolve('waiting'), DAEMON_FAST_ANSWER_MS))),
      ]);
      clearTimeout(timer);
      if (early === undefined) return (await fromSnapshot(view)) ?? local(view);
      if (early !== 'waiting') return early;
      // A slow daemon (busy, or stalled until its watchdog fires): the first complete answer wins.
      const own = local(view);
      own.catch(() => undefined);
      return Promise.race([asked.then((answer) => answer ?? own), own]);
    },
  };
}
