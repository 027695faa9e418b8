// CRI-O, read and driven through `crictl` (JSON output wherever crictl has it). This is how the
// pre-rollback cleanup finds MicroShift's pods and their processes: through the runtime that
// started them, never by process name across the host (a podman container has a conmon too).
//
// crictl's contract: exit 0 on success; 1 for every failure, reported by logrus.Fatal with the
// gRPC status inside the message (`rpc error: code = NotFound desc = ...`); before any command
// it checks that the runtime answers, so "CRI-O is not running" is a `validate service
// connection` failure with code Unavailable. `-t` is the deadline of each call it makes, so a
// hung CRI-O ends in DeadlineExceeded; we set it below our own time limit so that crictl reports
// the hang itself before we have to kill it.
import * as z from 'zod/mini';
import { DataError, HostError } from '../errors.js';
import type { LocalImage } from '../core/readiness/offline.js';
import type { Exec, ExecResult } from './exec.js';
import type { HostFs } from './fs.js';

export type PodState = 'ready' | 'notready' | 'unknown';
export type ContainerState = 'created' | 'running' | 'exited' | 'unknown';

export interface PodSandbox {
  id: string;
  name: string;
  namespace: string;
  uid?: string;
  attempt: number;
  state: PodState;
  createdAt?: Date;
  /** The infra (pause) process; absent when not asked for, not running, or dropped by CRI-O. */
  pausePid?: number;
}

export interface Container {
  id: string;
  podId: string;
  name: string;
  state: ContainerState;
  /** The main process, for running containers. */
  pid?: number;
}

export interface PodProcesses {
  pause?: number;
  pauseConmonPid?: number;
  containers: { id: string; name: string; pid: number; conmonPid?: number }[];
}

/** `gone`: CRI-O does not know the pod (already removed), which is what a removal wants. */
export type RemovalOutcome = 'removed' | 'gone' | 'failed' | 'timed-out' | 'unavailable';

export interface PodRemoval {
  id: string;
  outcome: RemovalOutcome;
  reason?: string;
}

export interface CrioCallOptions {
  signal?: AbortSignal;
  /** Time limit of each crictl run (default: the adapter's). */
  timeoutMs?: number;
}

export interface PodQuery extends CrioCallOptions {
  namespace?: string;
  state?: 'ready' | 'notready';
  /** Also find each ready pod's pause pid (one more crictl run). */
  withPausePid?: boolean;
}

export interface Crio {
  /** crictl is installed and CRI-O answers. Never throws, except when aborted. */
  available(options?: CrioCallOptions): Promise<boolean>;
  pods(options?: PodQuery): Promise<PodSandbox[]>;
  containers(podId?: string, options?: CrioCallOptions): Promise<Container[]>;
  /** The pod's processes now; a pod CRI-O does not know has none. */
  podPids(podId: string, options?: CrioCallOptions): Promise<PodProcesses>;
  /** `crictl rmp -f`, one pod after another in the given order; one result per id. */
  removePods(ids: readonly string[], options?: CrioCallOptions): Promise<PodRemoval[]>;
  /** The images in CRI-O's store (`crictl images -o json`). */
  images(options?: CrioCallOptions): Promise<LocalImage[]>;
}

export interface CrioOptions {
  exec: Exec;
  /** Root-aware file system, to read /proc/<pid>/stat for parents (conmon). */
  fs: HostFs;
  command?: string;
  endpoint?: string;
  timeoutMs?: number;
}

export interface ProcessInfo {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  /** Start time in clock ticks since boot: tells a reused pid from the process we saw. */
  startTicks: number;
}

/** /proc/<pid>/stat; the comm is in parentheses and may contain spaces and parentheses. */
export async function readProcess(fs: HostFs, pid: number): Promise<ProcessInfo | undefined> {
  const text = await fs.readText(`/proc/${pid}/stat`).catch(() => undefined);
  if (!text) return undefined;
  const close = text.lastIndexOf(')');
  const rest = text.slice(close + 2).split(' ');
  return {
    pid,
    comm: text.slice(text.indexOf('(') + 1, close),
    state: rest[0] ?? '?',
    ppid: Number(rest[1]),
    startTicks: Number(rest[19]),
  };
}

/** The process's parent when that parent is a conmon (how CRI-O and podman run containers). */
export async function conmonOf(fs: HostFs, pid: number): Promise<number | undefined> {
  const child = await readProcess(fs, pid);
  const parent = child && child.ppid > 1 ? await readProcess(fs, child.ppid) : undefined;
  return parent?.comm === 'conmon' ? parent.pid : undefined;
}

const grpcCodes = ['NotFound', 'Unavailable', 'DeadlineExceeded', 'Unknown'] as const;
type Failure = { kind: 'missing' | 'timed-out' | (typeof grpcCodes)[number] | 'other'; reason: string };

/** One place that reads crictl's exit codes and messages. */
function interpret(result: ExecResult): Failure | undefined {
  // 0: the command did what was asked.
  if (result.exitCode === 0) return undefined;
  // 127: the shell or env wrapper found no crictl: CRI-O's tools are not installed.
  if (result.exitCode === 127) return { kind: 'missing', reason: 'crictl is not installed' };
  // Killed by our time limit (the port reports 128 with timedOut) or by a signal.
  if (result.timedOut) return { kind: 'timed-out', reason: 'crictl did not finish in time' };
  const reason = fatalMessage(result.stderr) ?? `crictl exited ${result.exitCode}`;
  // 1: logrus.Fatal; which failure it is comes from the gRPC status code in the message.
  // Anything else (a crash, a signal not ours): a failure we cannot classify.
  const code = result.exitCode === 1 ? /rpc error: code = (\w+)/.exec(reason)?.[1] : undefined;
  return { kind: grpcCodes.find((c) => c === code) ?? 'other', reason };
}

/** The message of logrus's last fatal line: `level=fatal msg="..."`, or `FATA[0000] ...` on a TTY. */
function fatalMessage(stderr: string): string | undefined {
  for (const line of stderr.trim().split('\n').reverse()) {
    const quoted = /level=fatal msg=("(?:[^"\\]|\\.)*")/.exec(line)?.[1];
    if (quoted) return unquote(quoted);
    const tty = /^FATA\[\d+\] (.*)$/.exec(line)?.[1];
    if (tty) return tty.trim();
  }
  return stderr.trim().split('\n').pop() || undefined;
}

/** Go's %q is JSON's string syntax for what crictl prints; anything else is kept as it is. */
function unquote(quoted: string): string {
  try {
    return JSON.parse(quoted) as string;
  } catch {
    return quoted.slice(1, -1);
  }
}

function toError(failure: Failure, what: string): HostError {
  const retryable = ['timed-out', 'Unavailable', 'DeadlineExceeded', 'Unknown'].includes(failure.kind);
  const code =
    failure.kind === 'missing'
      ? 'crictl-missing'
      : failure.kind === 'Unavailable'
        ? 'crio-unavailable'
        : ['timed-out', 'DeadlineExceeded'].includes(failure.kind)
          ? 'crio-timeout'
          : 'crictl-failed';
  return new HostError(code, `crictl ${what}: ${failure.reason}`, { retryable });
}

// Lenient shapes: unknown fields are ignored, a field of the wrong type falls back to a default,
// an entry without an id is dropped (nothing can be done with it).
const str = z.catch(z.string(), '');
const id = () => z.string().check(z.minLength(1));
const podItem = z.object({
  id: id(),
  metadata: z.catch(
    z.object({
      name: str,
      uid: z.catch(z.optional(z.string()), undefined),
      namespace: str,
      attempt: z.catch(z.coerce.number(), 0),
    }),
    { name: '', namespace: '', attempt: 0 },
  ),
  state: str,
  createdAt: z.catch(z.optional(z.union([z.string(), z.number()])), undefined),
});
const containerItem = z.object({
  id: id(),
  podSandboxId: str,
  metadata: z.catch(z.object({ name: str }), { name: '' }),
  state: str,
});
const stringList = z.catch(z.array(z.string()), []);
const imageItem = z.object({ repoTags: z.nullish(stringList), repoDigests: z.nullish(stringList) });
const statusItem = z.object({
  status: z.catch(z.object({ id: str, state: str }), { id: '', state: '' }),
  info: z.catch(z.optional(z.record(z.string(), z.unknown())), undefined),
});

function parseJson(stdout: string, what: string): unknown {
  try {
    return JSON.parse(stdout);
  } catch {
    throw new DataError('crictl-output', `crictl ${what}: output is not JSON: ${stdout.slice(0, 80)}`);
  }
}

function parseList<T>(value: unknown, key: string, schema: z.ZodMiniType<T>): T[] {
  const list = (value as Record<string, unknown> | null)?.[key];
  if (!Array.isArray(list)) return [];
  return list.flatMap((entry) => {
    const parsed = schema.safeParse(entry);
    return parsed.success ? [parsed.data] : [];
  });
}

/** The pid in CRI-O's verbose info (`info.pid`; older clients nest it once more). */
function infoPid(info: Record<string, unknown> | undefined): number | undefined {
  const nested = info?.info && typeof info.info === 'object' ? (info.info as Record<string, unknown>) : undefined;
  const pid = Number(info?.pid ?? nested?.pid);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

const podStates: Record<string, PodState> = { SANDBOX_READY: 'ready', SANDBOX_NOTREADY: 'notready' };
const containerStates: Record<string, ContainerState> = {
  CONTAINER_CREATED: 'created',
  CONTAINER_RUNNING: 'running',
  CONTAINER_EXITED: 'exited',
};
/** int64 Unix nanoseconds (a string in protobuf JSON); anything else is no time at all. */
function nanosToDate(value: string | number | undefined): Date | undefined {
  if (value === undefined || !/^\d+$/.test(String(value))) return undefined;
  return new Date(Number(BigInt(value) / 1_000_000n));
}
const anchored = (text: string) => `^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;

export function createCrio(options: CrioOptions): Crio {
  const command = options.command ?? 'crictl';
  const endpoint = options.endpoint ?? 'unix:///var/run/crio/crio.sock';
  const defaultTimeoutMs = options.timeoutMs ?? 10_000;

  const run = async (args: string[], what: string, call: CrioCallOptions = {}): Promise<ExecResult> => {
    call.signal?.throwIfAborted();
    const timeoutMs = call.timeoutMs ?? defaultTimeoutMs;
    const rpcMs = Math.max(500, Math.floor(timeoutMs * 0.8));
    let result: ExecResult;
    try {
      result = await options.exec.run(command, ['-r', endpoint, '-t', `${rpcMs}ms`, ...args], {
        signal: call.signal,
        timeoutMs,
      });
    } catch (error) {
      if (error instanceof HostError && error.code === 'exec-failed')
        throw new HostError('crictl-missing', `crictl ${what}: ${error.message}`, { cause: error });
      throw error;
    }
    call.signal?.throwIfAborted();
    return result;
  };

  const runJson = async (args: string[], what: string, call?: CrioCallOptions): Promise<unknown> => {
    const result = await run(args, what, call);
    const failure = interpret(result);
    if (failure) throw toError(failure, what);
    return parseJson(result.stdout, what);
  };

  /** `inspectp`/`inspect` of several ids at once; one id gone in between is skipped, not fatal. */
  type Status = z.infer<typeof statusItem>;
  const inspect = async (verb: 'inspectp' | 'inspect', ids: string[], call?: CrioCallOptions): Promise<Status[]> => {
    if (ids.length === 0) return [];
    const what = `${verb} ${ids.length === 1 ? ids[0] : `${ids.length} ids`}`;
    const result = await run([verb, '-o', 'json', ...ids], what, call);
    const failure = interpret(result);
    if (failure?.kind === 'NotFound' && ids.length > 1)
      return (await Promise.all(ids.map((id) => inspect(verb, [id], call)))).flat();
    if (failure?.kind === 'NotFound') return [];
    if (failure) throw toError(failure, what);
    const value = parseJson(result.stdout, what);
    return (Array.isArray(value) ? value : [value]).flatMap((entry) => {
      const parsed = statusItem.safeParse(entry);
      return parsed.success ? [parsed.data] : [];
    });
  };

  const crio: Crio = {
    async available(call) {
      try {
        const result = await run(['version'], 'version', {
          ...call,
          timeoutMs: Math.min(call?.timeoutMs ?? defaultTimeoutMs, 5000),
        });
        return interpret(result) === undefined;
      } catch (error) {
        call?.signal?.throwIfAborted();
        if (error instanceof HostError) return false;
        throw error;
      }
    },

    async pods(query = {}) {
      const args = [
        'pods',
        '-o',
        'json',
        ...(query.namespace ? ['--namespace', anchored(query.namespace)] : []),
        ...(query.state ? ['--state', query.state] : []),
      ];
      const items = parseList(await runJson(args, 'pods', query), 'items', podItem);
      const pods: PodSandbox[] = items.map((p) => ({
        id: p.id,
        name: p.metadata.name,
        namespace: p.metadata.namespace,
        uid: p.metadata.uid || undefined,
        attempt: p.metadata.attempt,
        state: podStates[p.state] ?? 'unknown',
        createdAt: nanosToDate(p.createdAt),
      }));
      if (!query.withPausePid) return pods;
      const statuses = await inspect(
        'inspectp',
        pods.filter((p) => p.state === 'ready').map((p) => p.id),
        query,
      );
      const pids = new Map(
        statuses.map((s) => [s.status.id, s.status.state === 'SANDBOX_READY' ? infoPid(s.info) : undefined]),
      );
      return pods.map((p) => ({ ...p, pausePid: pids.get(p.id) }));
    },

    async containers(podId, call) {
      const args = ['ps', '-a', '-o', 'json', ...(podId ? ['--pod', podId] : [])];
      const items = parseList(await runJson(args, 'ps', call), 'containers', containerItem);
      const statuses = await inspect(
        'inspect',
        items.filter((c) => c.state === 'CONTAINER_RUNNING').map((c) => c.id),
        call,
      );
      const pids = new Map(
        statuses.map((s) => [s.status.id, s.status.state === 'CONTAINER_RUNNING' ? infoPid(s.info) : undefined]),
      );
      return items.map((c) => ({
        id: c.id,
        podId: c.podSandboxId,
        name: c.metadata.name,
        state: containerStates[c.state] ?? 'unknown',
        pid: pids.get(c.id),
      }));
    },

    async podPids(podId, call) {
      const [sandbox] = await inspect('inspectp', [podId], call);
      if (!sandbox) return { containers: [] };
      const pause = sandbox.status.state === 'SANDBOX_READY' ? infoPid(sandbox.info) : undefined;
      const running = (await crio.containers(sandbox.status.id || podId, call)).filter((c) => c.pid !== undefined);
      const containers = await Promise.all(
        running.map(async (c) => ({
          id: c.id,
          name: c.name,
          pid: c.pid!,
          conmonPid: await conmonOf(options.fs, c.pid!),
        })),
      );
      return { pause, pauseConmonPid: pause === undefined ? undefined : await conmonOf(options.fs, pause), containers };
    },

    async removePods(ids, call = {}) {
      const results: PodRemoval[] = [];
      for (const id of ids) {
        let result: ExecResult;
        try {
          result = await run(['rmp', '-f', id], `rmp -f ${id}`, call);
        } catch (error) {
          if (!(error instanceof HostError && error.code === 'crictl-missing')) throw error;
          results.push({ id, outcome: 'unavailable', reason: error.message });
          continue;
        }
        const failure = interpret(result);
        const outcome: RemovalOutcome = !failure
          ? 'removed'
          : failure.kind === 'NotFound'
            ? 'gone'
            : failure.kind === 'Unavailable' || failure.kind === 'missing'
              ? 'unavailable'
              : failure.kind === 'timed-out' || failure.kind === 'DeadlineExceeded'
                ? 'timed-out'
                : 'failed';
        results.push(failure ? { id, outcome, reason: failure.reason } : { id, outcome });
      }
      return results;
    },

    async images(call) {
      const items = parseList(await runJson(['images', '-o', 'json'], 'images', call), 'images', imageItem);
      return items.map((i) => ({ repoTags: i.repoTags ?? [], repoDigests: i.repoDigests ?? [] }));
    },
  };
  return crio;
}
