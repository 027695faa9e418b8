// MicroShift for `status`: API readiness and core workloads. The daemon's last look is used while
// it is fresh; otherwise the API is asked (host/microshift-api.ts, loaded only
// here) and root (the kubeadmin kubeconfig is root's). The caller bounds the whole probe,
// the API module's import included.
import { currentMicroShiftLook, type DaemonState } from '../../core/daemon-state.js';
import { failed, ok, type MicroShiftFacts, type Probe, type UnitFacts } from '../../core/status/facts.js';
import { AgentError } from '../../errors.js';
import type { HostFs } from '../../host/fs.js';
import type { WorkloadSpec as StatusWorkload } from '../../config/schema-checks.js';
import { isPermissionError } from './limit.js';

export interface StatusMicroShiftInput {
  /** microshift.service; undefined when systemd could not be asked. */
  unit: UnitFacts | undefined;
  daemon: DaemonState | undefined;
  kubeconfig: string;
  workloads: StatusWorkload[] | undefined;
  now: number;
  signal: AbortSignal;
  /** Per API call, until the API accepts the connection. */
  callTimeoutMs: number;
  /** Per API call, for the answer once connected (default callTimeoutMs). */
  answerTimeoutMs?: number;
  /** false: never load the API module (the daemon, which must stay small, answering status). */
  askApi?: boolean;
}

export async function probeStatusMicroShift(fs: HostFs, input: StatusMicroShiftInput): Promise<Probe<MicroShiftFacts>> {
  const { unit } = input;
  if (unit?.loadState === 'not-found') return failed('unavailable', 'MicroShift is not installed');
  if (unit && unit.activeState !== 'active' && unit.activeState !== 'reloading')
    return failed('unavailable', `not asked: microshift.service is ${unit.activeState}`);
  const fromDaemon = daemonView(input.daemon, input.now);
  if (fromDaemon) return ok(fromDaemon);
  if (input.askApi === false)
    return failed('unavailable', "not asked yet: the daemon's runtime health check has not looked at MicroShift");
  return askApi(fs, input);
}

function daemonView(daemon: DaemonState | undefined, now: number): MicroShiftFacts | undefined {
  const m = currentMicroShiftLook(daemon, now);
  if (!m) return undefined;
  const counts = m.workloads;
  const workloads =
    counts?.ready !== undefined && counts.total !== undefined
      ? { ready: counts.ready, total: counts.total }
      : undefined;
  return {
    source: 'daemon',
    checkedAt: m.checkedAt,
    api:
      m.apiReady === undefined
        ? failed('unavailable', 'the daemon did not check the API')
        : ok({ ready: m.apiReady, failing: [] }),
    workloads: workloads
      ? ok({ ...workloads, notReady: [] })
      : failed('unavailable', 'the daemon did not check the workloads'),
  };
}

async function askApi(fs: HostFs, input: StatusMicroShiftInput): Promise<Probe<MicroShiftFacts>> {
  // Before loading the client: without a kubeconfig we can read there is nothing to ask.
  const readable = await fs.readText(input.kubeconfig).then(
    (text) =>
      text === undefined ? failed('unavailable', `no MicroShift kubeconfig at ${input.kubeconfig}`) : undefined,
    (error: unknown) =>
      isPermissionError(error)
        ? failed('needs-root', `the MicroShift kubeconfig ${input.kubeconfig} is readable by root only`)
        : undefined,
  );
  if (readable) return readable;
  const [{ createMicroShiftApi }, refs] = await Promise.all([
    import('../../host/microshift-api.js'),
    workloadRefs(input.workloads),
  ]);
  let api;
  try {
    api = await createMicroShiftApi({
      fs,
      kubeconfig: input.kubeconfig,
      timeoutMs: input.callTimeoutMs,
      answerTimeoutMs: input.answerTimeoutMs,
    });
  } catch (error) {
    if (isPermissionError(error))
      return failed('needs-root', `the MicroShift kubeconfig ${input.kubeconfig} is readable by root only`);
    const code = error instanceof AgentError ? error.code : '';
    return failed(code === 'kubeconfig-missing' ? 'unavailable' : 'error', (error as Error).message);
  }
  try {
    const checkedAt = new Date(input.now).toISOString();
    // An API that did not answer its health endpoints will not answer the workload lists either:
    // stop those then, so a slow or unreachable API costs status its own limits and no more.
    const unanswered = new AbortController();
    const workloadsSignal = AbortSignal.any([input.signal, unanswered.signal]);
    const [health, workloads] = await Promise.all([
      api.health(input.signal).then((h) => {
        if (!h.reachable) unanswered.abort();
        return h;
      }),
      api.workloads(refs, workloadsSignal).then(
        (list) => ok(countReady(list, refs)),
        (error: unknown) =>
          failed(
            workloadsSignal.aborted || (error instanceof AgentError && error.code.endsWith('timeout'))
              ? 'timed-out'
              : 'error',
            (error as Error).message,
          ),
      ),
    ]);
    const apiProbe = health.reachable
      ? ok({ ready: Boolean(health.readyz?.ok), failing: health.readyz?.failing ?? [] })
      : failed(
          health.timedOut ? 'timed-out' : 'error',
          health.error?.startsWith('slow:')
            ? `the API is ${health.error}`
            : `the API is not reachable: ${health.error ?? 'no answer'}`,
        );
    return ok({ source: 'live', checkedAt, api: apiProbe, workloads });
  } finally {
    api.close();
  }
}

type Ref = Omit<StatusWorkload, 'when'> & { when: StatusWorkload['when'] };

async function workloadRefs(configured: StatusWorkload[] | undefined): Promise<Ref[]> {
  if (configured) return configured;
  // The default set lives with the config schema; loading it here keeps zod off the common path.
  return (await import('../../config/default-workloads.js')).defaultWorkloads();
}

/** LVMS workloads count only where they exist: status does not run `vgs` to expect them. */
function countReady(
  list: { namespace: string; name: string; found: boolean; ready: boolean }[],
  refs: Ref[],
): { ready: number; total: number; notReady: string[] } {
  const counted = list.filter((w, i) => w.found || refs[i]?.when !== 'lvms');
  const notReady = counted.filter((w) => !w.ready).map((w) => `${w.namespace}/${w.name}${w.found ? '' : ' (missing)'}`);
  return { ready: counted.length - notReady.length, total: counted.length, notReady };
}
