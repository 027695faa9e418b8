// Entry point of the CRI-O stand-in's daemon: the main process of crio.service in a virtual
// device (bundled into build/harness/crio-sim.mjs, run with the host's node).
//
// What it simulates: CRI-O's runtime service on /var/run/crio/crio.sock: Version,
// ListPodSandbox, PodSandboxStatus, StopPodSandbox, RemovePodSandbox, ListContainers and
// ContainerStatus with CRI-O's error texts (ids may be given by unique prefix), the image
// service's ListImages (image-store.ts), plus one call of
// its own, RunPodSandboxes, through which the simulated kubelet in microshift-sim asks for the
// core workloads' pods. Pods outlive the daemon (they are in their own scopes) and their state is
// kept in /run/crio-sim/pods.json, so a restarted crio.service knows them again; like the real
// socket, ours disappears when the daemon stops. What it leaves out: the rest of the image
// service (pull, remove, status, fs info), exec, attach, logs, stats, events, and everything
// else of the CRI; after a reboot nothing is left
// (real CRI-O would list the old sandboxes as NotReady until the kubelet removes them).
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { takeFault, type FaultCall } from './faults.js';
import { listImages, recordImages } from './image-store.js';
import { containerListItem, containerStatus, podListItem, podStatus, type SimPod, type SimState } from './model.js';
import { crioPaths } from './paths.js';
import { refreshStates, removePod, runPods, stopPod, type PodRequest, type RuntimeOptions } from './pods.js';
import { RpcError, type RpcReply, type RpcRequest } from './protocol.js';
import { sleep } from './runtime.js';

const { values: args } = parseArgs({
  options: {
    socket: { type: 'string', default: crioPaths.socket },
    'stop-grace-ms': { type: 'string', default: '2000' },
    'drop-infra': { type: 'boolean', default: false },
  },
});
const options: RuntimeOptions = { stopGraceMs: Number(args['stop-grace-ms']), dropInfra: args['drop-infra'] };

function log(line: string): void {
  try {
    writeSync(1, `crio-sim: ${line}\n`);
  } catch {
    // a full journal stream must not stop the runtime
  }
}

function load(): SimState {
  try {
    return JSON.parse(readFileSync(crioPaths.state, 'utf8')) as SimState;
  } catch {
    return { format: 1, pods: [] };
  }
}

const state = load();

function persist(): void {
  mkdirSync(dirname(crioPaths.state), { recursive: true });
  const temp = `${crioPaths.state}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(temp, crioPaths.state);
}

function refresh(): void {
  // Both run: images are recorded whether or not a pod changed.
  if ([refreshStates(state), recordImages(state)].some(Boolean)) persist();
}

/** CRI-O's truncindex: a full id or a unique prefix of one. */
function lookup<T extends { id: string }>(items: T[], id: string): T | 'none' | 'ambiguous' {
  const exact = items.find((item) => item.id === id);
  if (exact) return exact;
  const found = id ? items.filter((item) => item.id.startsWith(id)) : [];
  return found.length === 1 ? found[0]! : found.length === 0 ? 'none' : 'ambiguous';
}

function findPod(id: string): SimPod | undefined {
  const found = lookup(state.pods, id);
  return typeof found === 'string' ? undefined : found;
}

function podOrNotFound(id: string): SimPod {
  const found = lookup(state.pods, id);
  if (found === 'none')
    throw new RpcError(
      'NotFound',
      `could not find pod "${id}": PodSandbox with ID starting with ${id} not found: ID does not exist`,
    );
  if (found === 'ambiguous')
    throw new RpcError(
      'NotFound',
      `could not find pod "${id}": PodSandbox with ID starting with ${id} not found: Multiple IDs found with provided prefix: ${id}`,
    );
  return found;
}

function labelsMatch(labels: Record<string, string>, selector: Record<string, string> | undefined): boolean {
  return Object.entries(selector ?? {}).every(([key, value]) => labels[key] === value);
}

/** Serializes stop/remove of one pod, as CRI-O's per-sandbox lock does. */
const podLocks = new Map<string, Promise<unknown>>();
function withPodLock<T>(id: string, action: () => Promise<T>): Promise<T> {
  const next = (podLocks.get(id) ?? Promise.resolve()).catch(() => undefined).then(action);
  podLocks.set(id, next);
  return next;
}

/** A scripted fault first (it may hang, then fail), then the real work. */
async function withFault(pod: SimPod, call: FaultCall): Promise<void> {
  const fault = takeFault(pod, call);
  if (fault.hangMs > 0) {
    log(`${call} of pod ${pod.metadata.namespace}/${pod.metadata.name}: hanging ${fault.hangMs} ms (scripted)`);
    await sleep(fault.hangMs);
  }
  if (fault.failure) {
    log(`${call} of pod ${pod.metadata.namespace}/${pod.metadata.name}: failing (scripted)`);
    throw new RpcError('Unknown', fault.failure);
  }
}

type Handler = (params: Record<string, unknown>) => Promise<unknown>;
type Filter =
  | { id?: string; state?: { state?: string }; podSandboxId?: string; labelSelector?: Record<string, string> }
  | undefined;

const handlers: Record<string, Handler> = {
  async Version() {
    return { version: '0.1.0', runtimeName: 'cri-o', runtimeVersion: '1.28.6-sim', runtimeApiVersion: 'v1' };
  },
  async ListPodSandbox(params) {
    const filter = params.filter as Filter;
    const pods = state.pods.filter(
      (p) =>
        (!filter?.id || p.id.startsWith(filter.id)) &&
        (!filter?.state?.state || p.state === filter.state.state) &&
        labelsMatch(p.labels, filter?.labelSelector),
    );
    return { items: pods.map(podListItem) };
  },
  async PodSandboxStatus(params) {
    return podStatus(podOrNotFound(String(params.podSandboxId ?? '')), Boolean(params.verbose));
  },
  async StopPodSandbox(params) {
    // CRI-O: stopping a sandbox it does not know is not an error (it may be gone already).
    const pod = findPod(String(params.podSandboxId ?? ''));
    if (!pod) return {};
    await withFault(pod, 'stop');
    await withPodLock(pod.id, () => stopPod(pod, options));
    persist();
    log(`stopped pod sandbox ${pod.metadata.namespace}/${pod.metadata.name} ${pod.id}`);
    return {};
  },
  async RemovePodSandbox(params) {
    const pod = findPod(String(params.podSandboxId ?? ''));
    if (!pod) return {};
    await withFault(pod, 'remove');
    await withPodLock(pod.id, () => removePod(state, pod, options));
    persist();
    log(`removed pod sandbox ${pod.metadata.namespace}/${pod.metadata.name} ${pod.id}`);
    return {};
  },
  async ListContainers(params) {
    const filter = params.filter as Filter;
    const containers = state.pods.flatMap((pod) =>
      pod.containers
        .filter(
          (c) =>
            (!filter?.id || c.id.startsWith(filter.id)) &&
            (!filter?.podSandboxId || pod.id.startsWith(filter.podSandboxId)) &&
            (!filter?.state?.state || c.state === filter.state.state) &&
            labelsMatch(c.labels, filter?.labelSelector),
        )
        .map((c) => containerListItem(pod, c)),
    );
    return { containers };
  },
  async ContainerStatus(params) {
    const id = String(params.containerId ?? '');
    const all = state.pods.flatMap((pod) => pod.containers.map((c) => ({ id: c.id, pod, c })));
    const found = lookup(all, id);
    if (typeof found === 'string')
      throw new RpcError(
        'NotFound',
        `could not find container "${id}": container with ID starting with ${id} not found: ID does not exist`,
      );
    return containerStatus(found.pod, found.c, Boolean(params.verbose));
  },
  async ListImages(params) {
    const filter = (params.filter as { image?: { image?: string } } | undefined)?.image?.image;
    return { images: listImages(state, filter) };
  },
  async RunPodSandboxes(params) {
    const ids = await runPods(state, (params.pods ?? []) as PodRequest[], options, persist);
    if (recordImages(state)) persist();
    if (ids.length > 0) log(`ran ${ids.length} pod sandboxes for the kubelet`);
    return { podSandboxIds: ids };
  },
};

async function answer(request: RpcRequest): Promise<RpcReply> {
  const handler = handlers[request.method];
  if (!handler)
    return { error: { code: 'Unknown', desc: `unknown service runtime.v1.RuntimeService method ${request.method}` } };
  try {
    refresh();
    return { result: await handler(request.params ?? {}) };
  } catch (error) {
    if (error instanceof RpcError) return { error: { code: error.code, desc: error.desc } };
    log(`${request.method} failed: ${String(error)}`);
    return { error: { code: 'Unknown', desc: String(error) } };
  }
}

function serve(conn: Socket): void {
  let buffer = '';
  conn.on('error', () => undefined);
  conn.on('data', (chunk) => {
    buffer += chunk.toString('utf8');
    const end = buffer.indexOf('\n');
    if (end < 0) return;
    let request: RpcRequest;
    try {
      request = JSON.parse(buffer.slice(0, end)) as RpcRequest;
    } catch {
      return void conn.end(`${JSON.stringify({ error: { code: 'InvalidArgument', desc: 'malformed request' } })}\n`);
    }
    // The client may have given up (its deadline passed): writing then is harmless.
    void answer(request).then((reply) => conn.end(`${JSON.stringify(reply)}\n`));
  });
}

refresh();
persist();
rmSync(args.socket, { force: true });
mkdirSync(dirname(args.socket), { recursive: true });
const server = createServer(serve);
server.listen(args.socket, () => {
  log(`listening on ${args.socket}; ${state.pods.length} pod sandboxes known`);
  if (!process.env.NOTIFY_SOCKET) return;
  execFile('systemd-notify', ['--ready', '--status=CRI-O stand-in ready'], (error) => {
    if (error) log(`systemd-notify failed: ${error.message}`);
  });
});

process.on('SIGHUP', () => log('reload requested: nothing to reload'));
process.on('SIGTERM', () => {
  log('stopping (SIGTERM); pods keep running');
  server.close();
  rmSync(args.socket, { force: true });
  process.exit(0);
});
