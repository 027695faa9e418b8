// The CRI-O adapter over a fake Exec answering with outputs captured from crictl (the harness's
// stand-in, shaped like crictl 1.28-1.31 with CRI-O; trimmed) and a re-rooted /proc for parents.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataError, HostError } from '../../agent/errors.js';
import { conmonOf, createCrio, readProcess, type RemovalOutcome } from '../../agent/host/crio.js';
import type { ExecRequest, ExecResult } from '../../agent/host/exec.js';
import { createHostFs, type HostFs } from '../../agent/host/fs.js';
import { FakeExec } from '../fakes/exec.js';

const NODE = '89617918c72aa5ed3ecab9ff4a00bd8827c69776502914a8d9a87490cad19d60';
const MASTER = 'da4032a6273bed7b1fef931a0b8d3c95cc89194b85833ad1c87a1096c27fc6c0';
const DNS = '4aefbd3061ff68bc19e2b473628435c209ce3e796a888890b03c97333f4a3f8b';
const CTRL = '663f79e6b071d105203344a70ce75a74624e6b727be4b5d0ca4518508c50aa97';
const OLD = '0c1f2e3d4c5b6a79888776655443322110ffeeddccbbaa998877665544332211';

const podsJson = `{
  "items": [
    {
      "id": "${NODE}",
      "metadata": { "name": "ovnkube-node-bpmt5", "uid": "f69080c8-e4ca-4b70-a4e3-671639e89394", "namespace": "openshift-ovn-kubernetes", "attempt": 0 },
      "state": "SANDBOX_READY",
      "createdAt": "1795375087767000000",
      "labels": { "app": "ovnkube-node", "io.kubernetes.pod.namespace": "openshift-ovn-kubernetes" },
      "annotations": { "kubernetes.io/config.source": "api" },
      "runtimeHandler": ""
    },
    {
      "id": "${MASTER}",
      "metadata": { "name": "ovnkube-master-nkhgq", "uid": "efa0645d-02b4-47df-a397-cb66b9467f4b", "namespace": "openshift-ovn-kubernetes", "attempt": 1 },
      "state": "SANDBOX_NOTREADY",
      "createdAt": "1795375087761000000",
      "labels": {},
      "annotations": {},
      "runtimeHandler": "",
      "someFieldOfANewerCrictl": { "x": 1 }
    },
    { "id": "${OLD}", "metadata": "garbled", "state": 3, "createdAt": "yesterday" },
    { "metadata": { "name": "no-id" }, "state": "SANDBOX_READY" }
  ]
}
`;

/** `crictl inspectp -o json` of one ready pod: crictl's sorted keys, CRI-O's info with the pause pid. */
const inspectpNode = (pid: number) => `{
  "info": {
    "image": "quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:0a1b7d9c6d3e24a6c4c84a8a5f44e5a1d5f0c1d2e3f4a5b6c7d8e9f0a1b2c3d4",
    "pid": ${pid},
    "runtimeSpec": { "ociVersion": "1.0.2-dev", "process": { "args": ["/usr/bin/pod"] } }
  },
  "status": {
    "createdAt": "2026-11-22T19:18:07.767Z",
    "id": "${NODE}",
    "metadata": { "attempt": 0, "name": "ovnkube-node-bpmt5", "namespace": "openshift-ovn-kubernetes", "uid": "f69080c8-e4ca-4b70-a4e3-671639e89394" },
    "network": { "additionalIps": [], "ip": "" },
    "state": "SANDBOX_READY"
  }
}
`;

const psNode = `{
  "containers": [
    {
      "id": "${CTRL}",
      "podSandboxId": "${NODE}",
      "metadata": { "name": "ovn-controller", "attempt": 0 },
      "image": { "image": "quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:a767b9", "annotations": {}, "userSpecifiedImage": "", "runtimeHandler": "" },
      "imageRef": "1ba24a89d1a60eea774336d9e8b9cb9432705a3627fb1ea5c10bbd9ce8a536fb",
      "state": "CONTAINER_RUNNING",
      "createdAt": "1795375088327000000",
      "labels": { "io.kubernetes.container.name": "ovn-controller" },
      "annotations": {},
      "imageId": ""
    },
    {
      "id": "${OLD}",
      "podSandboxId": "${NODE}",
      "metadata": { "name": "ovn-controller", "attempt": 0 },
      "imageRef": "1ba24a89d1a6",
      "state": "CONTAINER_EXITED",
      "createdAt": "1795375000000000000"
    }
  ]
}
`;

const inspectCtrl = (pid: number) => `{
  "info": { "pid": ${pid}, "privileged": true, "runtimeSpec": { "ociVersion": "1.0.2-dev" }, "sandboxID": "${NODE}" },
  "status": { "exitCode": 0, "id": "${CTRL}", "metadata": { "attempt": 0, "name": "ovn-controller" }, "state": "CONTAINER_RUNNING" }
}
`;

const fatal = (message: string) => `time="2026-11-22T19:18:09Z" level=fatal msg=${JSON.stringify(message)}\n`;
const klog = (call: string, error: string) =>
  `E1122 19:18:09.986000    1115 log.go:32] "${call} from runtime service failed" err=${JSON.stringify(error)}\n`;
const notFound = (id: string) =>
  `rpc error: code = NotFound desc = could not find pod "${id}": PodSandbox with ID starting with ${id} not found: ID does not exist`;
const cniFailure = `rpc error: code = Unknown desc = failed to destroy network for pod sandbox k8s_node-resolver-vnswd_openshift-dns_94e1b058_0(${DNS}): plugin type="ovn-k8s-cni-overlay" name="ovn-kubernetes" failed (delete): failed to send CNI request: Post "http://dummy/": dial unix /var/run/ovn-kubernetes/cni//ovn-cni-server.sock: connect: connection refused`;
const crioDown = fatal(
  'validate service connection: validate CRI v1 runtime API for endpoint "unix:///var/run/crio/crio.sock": rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial unix /var/run/crio/crio.sock: connect: no such file or directory"',
);

type Answer = Partial<ExecResult> | 'hang';

/** A fake crictl: `answer` gets the command's own arguments (after -r ENDPOINT -t DEADLINE). */
function fakeCrictl(answer: (args: string[]) => Answer): FakeExec {
  return new FakeExec().on('crictl', (args: readonly string[], request: ExecRequest) => {
    const reply = answer(args.slice(4));
    return reply === 'hang' ? hang(request) : reply;
  });
}

// The real port reports a process killed for its time limit as exit 128 with timedOut.
function hang(request: ExecRequest): Promise<Partial<ExecResult>> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ exitCode: 128, timedOut: true }), request.timeoutMs ?? 60_000);
    request.signal?.addEventListener('abort', () => (clearTimeout(timer), resolve({ exitCode: 128 })), { once: true });
  });
}

let root: string;
let fs: HostFs;

async function proc(pid: number, comm: string, ppid: number): Promise<void> {
  await mkdir(join(root, 'proc', String(pid)), { recursive: true });
  // Fields after the comm: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime priority nice threads itrealvalue starttime ...
  await writeFile(
    join(root, 'proc', String(pid), 'stat'),
    `${pid} (${comm}) S ${ppid} ${pid} ${pid} 0 -1 4194560 90 0 0 0 0 0 0 0 20 0 1 0 ${381000 + pid} 2252800 127 18446744073709551615\n`,
  );
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'crio-proc-'));
  fs = createHostFs(root);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('pods', () => {
  it('lists sandboxes from `crictl pods -o json`, anchoring the namespace regexp, keeping what parses', async () => {
    const exec = fakeCrictl(() => ({ stdout: podsJson }));
    const pods = await createCrio({ exec, fs, timeoutMs: 5000 }).pods({ namespace: 'openshift-ovn-kubernetes' });
    expect(exec.ran).toEqual([
      'crictl -r unix:///var/run/crio/crio.sock -t 4000ms pods -o json --namespace ^openshift-ovn-kubernetes$',
    ]);
    expect(pods).toEqual([
      {
        id: NODE,
        name: 'ovnkube-node-bpmt5',
        namespace: 'openshift-ovn-kubernetes',
        uid: 'f69080c8-e4ca-4b70-a4e3-671639e89394',
        attempt: 0,
        state: 'ready',
        createdAt: new Date(1795375087767),
      },
      {
        id: MASTER,
        name: 'ovnkube-master-nkhgq',
        namespace: 'openshift-ovn-kubernetes',
        uid: 'efa0645d-02b4-47df-a397-cb66b9467f4b',
        attempt: 1,
        state: 'notready',
        createdAt: new Date(1795375087761),
      },
      { id: OLD, name: '', namespace: '', uid: undefined, attempt: 0, state: 'unknown', createdAt: undefined },
    ]);
  });

  it('finds the pause pid of ready pods only, with one inspectp', async () => {
    const exec = fakeCrictl((args) => (args[0] === 'pods' ? { stdout: podsJson } : { stdout: inspectpNode(868) }));
    const pods = await createCrio({ exec, fs }).pods({ withPausePid: true });
    expect(exec.ran[1]).toMatch(new RegExp(`inspectp -o json ${NODE}$`));
    expect(pods.map((p) => [p.name, p.pausePid])).toEqual([
      ['ovnkube-node-bpmt5', 868],
      ['ovnkube-master-nkhgq', undefined],
      ['', undefined],
    ]);
  });

  it('an empty list is no pods', async () => {
    const exec = fakeCrictl(() => ({ stdout: '{\n  "items": []\n}\n' }));
    expect(await createCrio({ exec, fs }).pods()).toEqual([]);
  });

  it.each([
    ['CRI-O not running', { exitCode: 1, stderr: crioDown }, 'crio-unavailable', true],
    [
      'a hung CRI-O (crictl gives up)',
      {
        exitCode: 1,
        stderr: fatal(
          'listing pod sandboxes: list pod sandboxes: call list sandboxes RPC: rpc error: code = DeadlineExceeded desc = context deadline exceeded',
        ),
      },
      'crio-timeout',
      true,
    ],
    [
      'the same on a terminal',
      {
        exitCode: 1,
        stderr:
          'FATA[0002] listing pod sandboxes: rpc error: code = DeadlineExceeded desc = context deadline exceeded\n',
      },
      'crio-timeout',
      true,
    ],
    [
      'a wrapper without crictl',
      { exitCode: 127, stderr: 'env: crictl: No such file or directory\n' },
      'crictl-missing',
      false,
    ],
    ['a bad flag', { exitCode: 1, stderr: fatal('flag provided but not defined: -namespace') }, 'crictl-failed', false],
  ] as const)('%s: a HostError with its code and retryability', async (_, result, code, retryable) => {
    const error = await createCrio({ exec: fakeCrictl(() => result), fs })
      .pods()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostError);
    expect(error).toMatchObject({ code, retryable });
  });

  it('crictl not on PATH is a HostError, not a crash', async () => {
    await expect(createCrio({ exec: new FakeExec(), fs }).pods()).rejects.toMatchObject({ code: 'crictl-missing' });
  });

  it('output that is not JSON is a DataError', async () => {
    await expect(
      createCrio({ exec: fakeCrictl(() => ({ stdout: 'POD ID   CREATED\n' })), fs }).pods(),
    ).rejects.toBeInstanceOf(DataError);
  });

  it('our time limit kills a crictl that hangs; crictl is told a shorter deadline first', async () => {
    const exec = fakeCrictl(() => 'hang');
    const started = Date.now();
    await expect(createCrio({ exec, fs }).pods({ timeoutMs: 150 })).rejects.toMatchObject({
      code: 'crio-timeout',
      retryable: true,
    });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(exec.ran[0]).toContain('-t 500ms');
  });
});

describe('containers and pids', () => {
  it('lists containers of a pod with the pid of the running ones', async () => {
    const exec = fakeCrictl((args) => (args[0] === 'ps' ? { stdout: psNode } : { stdout: inspectCtrl(967) }));
    const containers = await createCrio({ exec, fs }).containers(NODE);
    expect(exec.ran.map((line) => line.split(' ').slice(5).join(' '))).toEqual([
      `ps -a -o json --pod ${NODE}`,
      `inspect -o json ${CTRL}`,
    ]);
    expect(containers).toEqual([
      { id: CTRL, podId: NODE, name: 'ovn-controller', state: 'running', pid: 967 },
      { id: OLD, podId: NODE, name: 'ovn-controller', state: 'exited', pid: undefined },
    ]);
  });

  it('podPids: pause and containers with their conmon, the parent only when it is a conmon', async () => {
    await proc(864, 'conmon', 1);
    await proc(868, 'pause', 864);
    await proc(960, 'conmon', 1);
    await proc(967, 'ovn-controller', 960);
    const exec = fakeCrictl((args) =>
      args[0] === 'inspectp'
        ? { stdout: inspectpNode(868) }
        : args[0] === 'ps'
          ? { stdout: psNode }
          : { stdout: inspectCtrl(967) },
    );
    expect(await createCrio({ exec, fs }).podPids(NODE)).toEqual({
      pause: 868,
      pauseConmonPid: 864,
      containers: [{ id: CTRL, name: 'ovn-controller', pid: 967, conmonPid: 960 }],
    });

    // conmon killed: the container was reparented to PID 1 and has no conmon any more.
    await proc(967, 'ovn-controller', 1);
    await rm(join(root, 'proc', '960'), { recursive: true });
    expect((await createCrio({ exec, fs }).podPids(NODE)).containers).toEqual([
      { id: CTRL, name: 'ovn-controller', pid: 967, conmonPid: undefined },
    ]);
  });

  it('podPids of a pod CRI-O does not know: no processes', async () => {
    const exec = fakeCrictl(() => ({
      exitCode: 1,
      stderr:
        klog('PodSandboxStatus', notFound('deadbeef')) +
        fatal(`get the status of pod sandboxes: get pod sandbox status: ${notFound('deadbeef')}`),
    }));
    expect(await createCrio({ exec, fs }).podPids('deadbeef')).toEqual({ containers: [] });
  });

  it('a pod removed between listing and inspecting is skipped, the others still inspected', async () => {
    const exec = fakeCrictl((args) => {
      if (args[0] === 'pods') return { stdout: podsJson.replace('SANDBOX_NOTREADY', 'SANDBOX_READY') };
      const ids = args.slice(3);
      if (ids.includes(MASTER))
        return {
          exitCode: 1,
          stderr: fatal(`get the status of pod sandboxes: get pod sandbox status: ${notFound(MASTER)}`),
        };
      return { stdout: inspectpNode(868) };
    });
    const pods = await createCrio({ exec, fs }).pods({ withPausePid: true });
    expect(pods.map((p) => p.pausePid)).toEqual([868, undefined, undefined]);
  });

  it('a pod without an infra process (CRI-O dropped it) has no pause pid', async () => {
    const dropped = `{ "info": { "runtimeSpec": { "ociVersion": "1.0.2-dev" } }, "status": { "id": "${NODE}", "state": "SANDBOX_READY" } }`;
    const exec = fakeCrictl((args) =>
      args[0] === 'inspectp' ? { stdout: dropped } : { stdout: '{ "containers": [] }' },
    );
    expect(await createCrio({ exec, fs }).podPids(NODE)).toEqual({
      pause: undefined,
      pauseConmonPid: undefined,
      containers: [],
    });
  });

  it('reads /proc/<pid>/stat with any comm, even with spaces and parentheses', async () => {
    await proc(42, 'tricky ) name', 7);
    await proc(7, 'conmon', 1);
    expect(await readProcess(fs, 42)).toEqual({
      pid: 42,
      comm: 'tricky ) name',
      state: 'S',
      ppid: 7,
      startTicks: 381042,
    });
    expect(await conmonOf(fs, 42)).toBe(7);
    expect(await readProcess(fs, 43)).toBeUndefined();
  });
});

describe('removePods', () => {
  const cases: [string, Answer, RemovalOutcome, RegExp | undefined][] = [
    ['removed', { stdout: `Stopped sandbox ${DNS}\nRemoved sandbox ${DNS}\n` }, 'removed', undefined],
    [
      'already gone',
      {
        exitCode: 1,
        stderr:
          klog('PodSandboxStatus', notFound(DNS)) + fatal(`getting sandbox status of pod "${DNS}": ${notFound(DNS)}`),
      },
      'gone',
      /could not find pod/,
    ],
    [
      'CNI teardown failed',
      {
        exitCode: 1,
        stderr: klog('StopPodSandbox', cniFailure) + fatal(`stopping the pod sandbox "${DNS}" failed: ${cniFailure}`),
      },
      'failed',
      /^stopping the pod sandbox ".*" failed: rpc error: code = Unknown desc = failed to destroy network/,
    ],
    [
      'crictl gave up on CRI-O',
      {
        exitCode: 1,
        stderr: fatal(
          `stopping the pod sandbox "${DNS}" failed: rpc error: code = DeadlineExceeded desc = context deadline exceeded`,
        ),
      },
      'timed-out',
      /DeadlineExceeded/,
    ],
    ['we gave up on crictl', 'hang', 'timed-out', /did not finish in time/],
    ['CRI-O not running', { exitCode: 1, stderr: crioDown }, 'unavailable', /no such file or directory/],
  ];

  it.each(cases)('%s', async (_, answer, outcome, reason) => {
    const exec = fakeCrictl(() => answer);
    const [result] = await createCrio({ exec, fs }).removePods([DNS], { timeoutMs: 200 });
    expect(exec.ran[0]).toMatch(new RegExp(`-t \\d+ms rmp -f ${DNS}$`));
    expect(result?.outcome).toBe(outcome);
    if (reason) expect(result?.reason).toMatch(reason);
    else expect(result?.reason).toBeUndefined();
  });

  it('goes through the ids in the given order, one crictl each, whatever each one gives', async () => {
    const exec = fakeCrictl((args) => (args[2] === MASTER ? { exitCode: 1, stderr: fatal(cniFailure) } : {}));
    const results = await createCrio({ exec, fs }).removePods([DNS, MASTER, NODE]);
    expect(results.map((r) => `${r.id.slice(0, 4)} ${r.outcome}`)).toEqual([
      '4aef removed',
      'da40 failed',
      '8961 removed',
    ]);
  });

  it('without crictl every pod is unavailable', async () => {
    expect((await createCrio({ exec: new FakeExec(), fs }).removePods([DNS, NODE])).map((r) => r.outcome)).toEqual([
      'unavailable',
      'unavailable',
    ]);
  });

  it('an abort stops at once with the signal reason', async () => {
    const controller = new AbortController();
    const exec = fakeCrictl(() => 'hang');
    const pending = createCrio({ exec, fs }).removePods([DNS, NODE], { signal: controller.signal, timeoutMs: 60_000 });
    setTimeout(() => controller.abort(new Error('SIGTERM')), 20);
    await expect(pending).rejects.toThrow('SIGTERM');
    expect(exec.ran).toHaveLength(1);
    await expect(createCrio({ exec, fs }).removePods([DNS], { signal: controller.signal })).rejects.toThrow('SIGTERM');
  });
});

describe('available', () => {
  it.each([
    [
      'CRI-O answers',
      () =>
        fakeCrictl(() => ({
          stdout: 'Version:  0.1.0\nRuntimeName:  cri-o\nRuntimeVersion:  1.28.6\nRuntimeApiVersion:  v1\n',
        })),
      true,
    ],
    ['CRI-O not running', () => fakeCrictl(() => ({ exitCode: 1, stderr: crioDown })), false],
    ['CRI-O hangs', () => fakeCrictl(() => 'hang'), false],
    ['crictl not installed', () => new FakeExec(), false],
  ] as const)('%s', async (_, exec, expected) => {
    expect(await createCrio({ exec: exec(), fs }).available({ timeoutMs: 100 })).toBe(expected);
  });

  it('an aborted check rejects rather than answering', async () => {
    await expect(
      createCrio({ exec: fakeCrictl(() => ({})), fs }).available({ signal: AbortSignal.abort(new Error('stop')) }),
    ).rejects.toThrow('stop');
  });
});
