// The commands of the crictl stand-in (see crictl.ts for what is simulated and left out). Each
// mirrors the real command's calls (rmp -f: PodSandboxStatus, StopPodSandbox when ready, then
// RemovePodSandbox, for all ids at once), filters (name and namespace are regexps), sort order
// (newest first), wording of errors and output. Verbose (-v) listings are abridged.
import { Fatal, parseFlags, type FlagSpec, type Flags } from './cli-args.js';
import {
  humanDuration,
  indentJson,
  klogError,
  logrusLine,
  rfc3339Nano,
  sortKeysDeep,
  tabulate,
  truncateId,
} from './format.js';
import type { ImageItem } from './image-store.js';
import { callCrio, RpcError } from './protocol.js';

export interface Runtime {
  endpoint: string;
  socket: string;
  timeoutMs: number;
}

type Command = (args: string[], runtime: Runtime, connect: () => Promise<void>) => Promise<number>;

interface PodItem {
  id: string;
  metadata: { name: string; uid: string; namespace: string; attempt: number };
  state: string;
  createdAt: string;
  runtimeHandler: string;
}

interface ContainerItem {
  id: string;
  podSandboxId: string;
  metadata: { name: string; attempt: number };
  imageRef: string;
  state: string;
  createdAt: string;
  labels: Record<string, string>;
}

interface StatusReply {
  status: Record<string, unknown>;
  info?: Record<string, string>;
}

const print = (text: string) => process.stdout.write(text);

/** One CRI call; a failure is also logged the way the CRI client library logs it. */
async function call<T>(
  runtime: Runtime,
  method: string,
  params: Record<string, unknown>,
  keys: Record<string, string> = {},
): Promise<T> {
  try {
    return (await callCrio(runtime.socket, method, params, runtime.timeoutMs)) as T;
  } catch (error) {
    if (error instanceof RpcError) process.stderr.write(klogError(method, error.message, keys));
    throw error;
  }
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
const createdMs = (nanos: string) => Number(BigInt(nanos || '0') / 1_000_000n);
const newestFirst = <T extends { createdAt: string }>(a: T, b: T) =>
  BigInt(b.createdAt) > BigInt(a.createdAt) ? 1 : BigInt(b.createdAt) < BigInt(a.createdAt) ? -1 : 0;

function matchesRegex(pattern: unknown, target: string): boolean {
  if (!pattern) return true;
  try {
    return new RegExp(String(pattern)).test(target);
  } catch {
    return false;
  }
}

function labelSelector(flags: Flags): Record<string, string> {
  const out: Record<string, string> = {};
  for (const label of (flags.label as string[] | undefined) ?? []) {
    const pair = label.split('=');
    if (pair.length !== 2) throw new Fatal(`incorrectly specified label: ${label}`);
    out[pair[0]!] = pair[1]!;
  }
  return out;
}

function stateFilter(state: unknown, values: Record<string, string>, what: string): { state: string } | undefined {
  if (!state) return undefined;
  const value = values[String(state).toLowerCase()];
  if (!value) throw new Fatal(`--state should be ${what}`);
  return { state: value };
}

function limit<T>(items: T[], flags: Flags): T[] {
  const n = flags.latest ? 1 : Number(flags.last ?? 0) > 0 ? Number(flags.last) : items.length;
  return items.slice(0, n);
}

const podFilterSpec: FlagSpec = {
  name: { kind: 'string' },
  namespace: { kind: 'string' },
  state: { alias: 's', kind: 'string' },
  label: { kind: 'list' },
  latest: { alias: 'l', kind: 'bool' },
  last: { alias: 'n', kind: 'int' },
};

async function listPods(runtime: Runtime, flags: Flags): Promise<PodItem[]> {
  const filter = {
    id: flags.id ?? '',
    state: stateFilter(flags.state, { ready: 'SANDBOX_READY', notready: 'SANDBOX_NOTREADY' }, 'ready or notready'),
    labelSelector: labelSelector(flags),
  };
  const reply = await call<{ items: PodItem[] }>(
    runtime,
    'ListPodSandbox',
    { filter },
    { filter: JSON.stringify(filter) },
  ).catch((error: unknown) => {
    throw new Fatal(`listing pod sandboxes: list pod sandboxes: call list sandboxes RPC: ${message(error)}`);
  });
  const items = reply.items
    .filter((p) => matchesRegex(flags.name, p.metadata.name) && matchesRegex(flags.namespace, p.metadata.namespace))
    .sort(newestFirst);
  return limit(items, flags);
}

const pods: Command = async (args, runtime, connect) => {
  const { flags } = parseFlags(args, {
    ...podFilterSpec,
    id: { kind: 'string' },
    verbose: { alias: 'v', kind: 'bool' },
    quiet: { alias: 'q', kind: 'bool' },
    output: { alias: 'o', kind: 'string', default: 'table' },
    'no-trunc': { kind: 'bool' },
  });
  await connect();
  const items = await listPods(runtime, flags);
  if (flags.output === 'json') return (print(`${indentJson({ items })}\n`), 0);
  if (flags.output !== 'table')
    throw new Fatal(`listing pod sandboxes: unsupported output format "${String(flags.output)}"`);
  if (flags.quiet) return (print(items.map((p) => `${p.id}\n`).join('')), 0);
  const state = (s: string) => (s === 'SANDBOX_READY' ? 'Ready' : 'NotReady');
  if (flags.verbose) {
    for (const p of items)
      print(
        `ID: ${p.id}\nName: ${p.metadata.name}\nUID: ${p.metadata.uid}\nNamespace: ${p.metadata.namespace}\nStatus: ${state(p.state)}\nCreated: ${new Date(createdMs(p.createdAt)).toISOString()}\nRuntime: ${p.runtimeHandler || '(default)'}\n\n`,
      );
    return 0;
  }
  const rows = items.map((p) => [
    flags['no-trunc'] ? p.id : truncateId(p.id),
    `${humanDuration(Date.now() - createdMs(p.createdAt))} ago`,
    state(p.state),
    p.metadata.name,
    p.metadata.namespace,
    String(p.metadata.attempt),
    p.runtimeHandler || '(default)',
  ]);
  print(tabulate([['POD ID', 'CREATED', 'STATE', 'NAME', 'NAMESPACE', 'ATTEMPT', 'RUNTIME'], ...rows]));
  return 0;
};

/** crictl's outputStatusData: {status, info...} per id; CRI-O's `info` value is itself JSON. */
function statusData(reply: StatusReply, times: string[]): Record<string, unknown> {
  const status = { ...reply.status };
  for (const key of times) if (typeof status[key] === 'string') status[key] = rfc3339Nano(status[key] as string);
  const out: Record<string, unknown> = { status };
  for (const [key, value] of Object.entries(reply.info ?? {}))
    out[key] = value.startsWith('{') ? JSON.parse(value) : value.replace(/^"|"$/g, '');
  return out;
}

function printStatuses(statuses: Record<string, unknown>[]): void {
  // Old behaviour kept by crictl: one status is not wrapped in an array.
  print(`${indentJson(sortKeysDeep(statuses.length === 1 ? statuses[0] : statuses))}\n`);
}

const inspectp: Command = async (args, runtime, connect) => {
  const { flags, rest } = parseFlags(args, {
    ...podFilterSpec,
    output: { alias: 'o', kind: 'string' },
    quiet: { alias: 'q', kind: 'bool' },
    template: { kind: 'string' },
  });
  await connect();
  const ids = rest.length > 0 ? rest : (await listPods(runtime, flags)).map((p) => p.id);
  if (ids.length === 0) throw new Fatal('No IDs provided or nothing found per filter');
  const output = String(flags.output ?? 'json');
  if (!['json', 'table'].includes(output))
    throw new Fatal(`get the status of pod sandboxes: unsupported format: "${output}"`);
  const statuses: Record<string, unknown>[] = [];
  for (const id of ids) {
    const reply = await call<StatusReply>(
      runtime,
      'PodSandboxStatus',
      { podSandboxId: id, verbose: !flags.quiet },
      { podSandboxID: id },
    ).catch((error: unknown) => {
      throw new Fatal(`get the status of pod sandboxes: get pod sandbox status: ${message(error)}`);
    });
    if (output === 'table') {
      const s = reply.status as {
        id: string;
        metadata: PodItem['metadata'];
        state: string;
        createdAt: string;
        network?: { ip?: string };
      };
      print(
        `ID: ${s.id}\nName: ${s.metadata.name}\nUID: ${s.metadata.uid}\nNamespace: ${s.metadata.namespace}\nAttempt: ${s.metadata.attempt}\nStatus: ${s.state}\nCreated: ${rfc3339Nano(s.createdAt)}\nIP Addresses: ${s.network?.ip ?? ''}\n`,
      );
      if (!flags.quiet) print(`Info: map[info:${reply.info?.info ?? ''}]\n`);
    } else statuses.push(statusData(reply, ['createdAt']));
  }
  if (statuses.length > 0) printStatuses(statuses);
  return 0;
};

const ps: Command = async (args, runtime, connect) => {
  const { flags } = parseFlags(args, {
    id: { kind: 'string' },
    pod: { alias: 'p', kind: 'string' },
    name: { kind: 'string' },
    namespace: { kind: 'string' },
    state: { alias: 's', kind: 'string' },
    label: { kind: 'list' },
    all: { alias: 'a', kind: 'bool' },
    quiet: { alias: 'q', kind: 'bool' },
    verbose: { alias: 'v', kind: 'bool' },
    output: { alias: 'o', kind: 'string', default: 'table' },
    latest: { alias: 'l', kind: 'bool' },
    last: { alias: 'n', kind: 'int' },
    'no-trunc': { kind: 'bool' },
    image: { kind: 'string' },
  });
  await connect();
  const states = {
    created: 'CONTAINER_CREATED',
    running: 'CONTAINER_RUNNING',
    exited: 'CONTAINER_EXITED',
    unknown: 'CONTAINER_UNKNOWN',
  };
  const state =
    stateFilter(flags.state, states, 'created, running, exited or unknown') ??
    (flags.all || flags.latest || flags.last ? undefined : { state: 'CONTAINER_RUNNING' });
  const filter = { id: flags.id ?? '', podSandboxId: flags.pod ?? '', state, labelSelector: labelSelector(flags) };
  const reply = await call<{ containers: ContainerItem[] }>(
    runtime,
    'ListContainers',
    { filter },
    { filter: JSON.stringify(filter) },
  ).catch((error: unknown) => {
    throw new Fatal(`listing containers: ${message(error)}`);
  });
  const namespaceOf = (c: ContainerItem) => c.labels['io.kubernetes.pod.namespace'] ?? '';
  const items = limit(
    reply.containers
      .filter((c) => matchesRegex(flags.name, c.metadata.name) && matchesRegex(flags.namespace, namespaceOf(c)))
      .sort(newestFirst),
    flags,
  );
  if (flags.output === 'json') return (print(`${indentJson({ containers: items })}\n`), 0);
  if (flags.output !== 'table')
    throw new Fatal(`listing containers: unsupported output format "${String(flags.output)}"`);
  if (flags.quiet) return (print(items.map((c) => `${c.id}\n`).join('')), 0);
  const word = (s: string) =>
    s.replace('CONTAINER_', '').charAt(0) + s.replace('CONTAINER_', '').slice(1).toLowerCase();
  const trunc = (id: string) => (flags['no-trunc'] ? id : truncateId(id));
  const rows = items.map((c) => [
    trunc(c.id),
    trunc(c.imageRef),
    `${humanDuration(Date.now() - createdMs(c.createdAt))} ago`,
    word(c.state),
    c.metadata.name,
    String(c.metadata.attempt),
    trunc(c.podSandboxId),
    c.labels['io.kubernetes.pod.name'] ?? '',
    namespaceOf(c),
  ]);
  print(
    tabulate([['CONTAINER', 'IMAGE', 'CREATED', 'STATE', 'NAME', 'ATTEMPT', 'POD ID', 'POD', 'NAMESPACE'], ...rows]),
  );
  return 0;
};

const inspect: Command = async (args, runtime, connect) => {
  const { flags, rest } = parseFlags(args, {
    output: { alias: 'o', kind: 'string' },
    quiet: { alias: 'q', kind: 'bool' },
    template: { kind: 'string' },
  });
  if (rest.length === 0) throw new Fatal('ID cannot be empty');
  await connect();
  const statuses: Record<string, unknown>[] = [];
  for (const id of rest) {
    const reply = await call<StatusReply>(
      runtime,
      'ContainerStatus',
      { containerId: id, verbose: !flags.quiet },
      { containerID: id },
    ).catch((error: unknown) => {
      throw new Fatal(`get the status of containers: get container status: ${message(error)}`);
    });
    statuses.push(statusData(reply, ['createdAt', 'startedAt', 'finishedAt']));
  }
  printStatuses(statuses);
  return 0;
};

async function stopSandbox(runtime: Runtime, id: string): Promise<void> {
  await call(runtime, 'StopPodSandbox', { podSandboxId: id }, { podSandboxID: id });
  print(`Stopped sandbox ${id}\n`);
}

const stopp: Command = async (args, runtime, connect) => {
  const { rest } = parseFlags(args, {});
  if (rest.length === 0)
    return (
      print('NAME:\n   crictl stopp - Stop one or more running pods\n\nUSAGE:\n   crictl stopp POD-ID [POD-ID...]\n'),
      0
    );
  await connect();
  for (const id of rest) {
    await stopSandbox(runtime, id).catch((error: unknown) => {
      throw new Fatal(`stopping the pod sandbox "${id}": ${message(error)}`);
    });
  }
  return 0;
};

const rmp: Command = async (args, runtime, connect) => {
  const { flags, rest } = parseFlags(args, { force: { alias: 'f', kind: 'bool' }, all: { alias: 'a', kind: 'bool' } });
  await connect();
  let ids = rest;
  if (flags.all) ids = (await call<{ items: PodItem[] }>(runtime, 'ListPodSandbox', {})).items.map((p) => p.id);
  if (ids.length === 0) {
    if (flags.all) return (process.stderr.write(logrusLine('info', 'No pods to remove')), 0);
    return (
      print(
        'NAME:\n   crictl rmp - Remove one or more pods\n\nUSAGE:\n   crictl rmp [command options] POD-ID [POD-ID...]\n',
      ),
      0
    );
  }
  // Like crictl: every pod at once, then one error that aggregates the failures.
  const results = await Promise.allSettled(
    ids.map(async (id) => {
      const status = await call<StatusReply>(
        runtime,
        'PodSandboxStatus',
        { podSandboxId: id, verbose: false },
        { podSandboxID: id },
      ).catch((error: unknown) => {
        throw new Error(`getting sandbox status of pod "${id}": ${message(error)}`);
      });
      if (status.status.state === 'SANDBOX_READY') {
        if (!flags.force) throw new Error(`pod sandbox "${id}" is running, please stop it first`);
        await stopSandbox(runtime, id).catch((error: unknown) => {
          throw new Error(`stopping the pod sandbox "${id}" failed: ${message(error)}`);
        });
      }
      await call(runtime, 'RemovePodSandbox', { podSandboxId: id }, { podSandboxID: id }).catch((error: unknown) => {
        throw new Error(`removing the pod sandbox "${id}": ${message(error)}`);
      });
      print(`Removed sandbox ${id}\n`);
    }),
  );
  const errors = [...new Set(results.flatMap((r) => (r.status === 'rejected' ? [message(r.reason)] : [])))];
  if (errors.length === 1) throw new Fatal(errors[0]!);
  if (errors.length > 1) throw new Fatal(`[${errors.join(', ')}]`);
  return 0;
};

const version: Command = async (args, runtime, connect) => {
  parseFlags(args, {});
  await connect();
  const v = await call<Record<string, string>>(runtime, 'Version', {});
  print(
    `Version:  ${v.version}\nRuntimeName:  ${v.runtimeName}\nRuntimeVersion:  ${v.runtimeVersion}\nRuntimeApiVersion:  ${v.runtimeApiVersion}\n`,
  );
  return 0;
};

/** go-units' HumanSizeWithPrecision(size, 3): decimal units, three significant digits. */
function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${Number(value.toPrecision(3))}${units[unit]}`;
}

/** crictl's image rows: one per repo:tag; an image known only by digest shows TAG <none>. */
function repoTagPairs(image: ImageItem): [string, string][] {
  if (image.repoTags.length > 0)
    return image.repoTags.map((t) => [t.slice(0, t.lastIndexOf(':')), t.slice(t.lastIndexOf(':') + 1)]);
  return image.repoDigests.map((d) => [d.split('@')[0] ?? d, '<none>']);
}

const images: Command = async (args, runtime, connect) => {
  const { flags, rest } = parseFlags(args, {
    quiet: { alias: 'q', kind: 'bool' },
    output: { alias: 'o', kind: 'string', default: 'table' },
    digests: { kind: 'bool' },
    'no-trunc': { kind: 'bool' },
    pinned: { kind: 'bool' },
  });
  await connect();
  const filter = rest[0];
  const reply = await call<{ images: ImageItem[] }>(
    runtime,
    'ListImages',
    filter ? { filter: { image: { image: filter } } } : {},
  ).catch((error: unknown) => {
    throw new Fatal(`listing images: ${message(error)}`);
  });
  // crictl sorts by the first tag (untagged images first).
  const items = [...reply.images].sort((a, b) => (a.repoTags[0] ?? '').localeCompare(b.repoTags[0] ?? ''));
  if (flags.output === 'json') return (print(`${indentJson({ images: items })}\n`), 0);
  if (flags.output !== 'table') throw new Fatal(`unsupported output format "${String(flags.output)}"`);
  if (flags.quiet) return (print(items.map((i) => `${i.id}\n`).join('')), 0);
  const trunc = (id: string) => (flags['no-trunc'] ? id : truncateId(id.replace(/^sha256:/, '')));
  const header = [
    'IMAGE',
    'TAG',
    ...(flags.digests ? ['DIGEST'] : []),
    'IMAGE ID',
    'SIZE',
    ...(flags.pinned ? ['PINNED'] : []),
  ];
  const rows = items.flatMap((image) =>
    repoTagPairs(image).map(([repo, tag]) => {
      const digest = image.repoDigests[0]?.split('@')[1] ?? '';
      return [
        repo,
        tag,
        ...(flags.digests ? [digest ? trunc(digest) : '<none>'] : []),
        trunc(image.id),
        humanSize(Number(image.size)),
        ...(flags.pinned ? [String(image.pinned)] : []),
      ];
    }),
  );
  print(tabulate([header, ...rows]));
  return 0;
};

export const commands: Record<string, Command> = {
  pods,
  inspectp,
  ps,
  inspect,
  stopp,
  rmp,
  version,
  images,
  image: images,
  img: images,
};
