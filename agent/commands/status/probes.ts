// Gathers the facts of `edge-agent status`. Cheap sources first and all at once: files (boot
// facts, grubenv, greenboot.conf, the records, the daemon's /run state) and one D-Bus
// connection. The costly ones run in parallel under their own time limits: rpm-ostree (only when
// its cache in /run no longer matches), the journal, and the MicroShift API (only when the
// daemon's look is stale; the API module is loaded for it alone). Nothing here decides:
// core/status.ts does.
import { parseGreenbootConf } from '../../config/greenboot-conf.js';
import {
  currentMicroShiftLook,
  parseDaemonState,
  DAEMON_STATE_PATH,
  type DaemonState,
} from '../../core/daemon-state.js';
import {
  failed,
  ok,
  type DeviceFacts,
  type GreenbootFacts,
  type GrubenvFacts,
  type Probe,
  type StatusFacts,
} from '../../core/status/facts.js';
import { runtimeInfo } from '../../core/runtime-kind.js';
import { version } from '../../version.js';
import { createBootFacts, type BootFacts } from '../../host/system-facts.js';
import { lazy } from '../../host/lazy.js';
import { sinceStartMs } from '../../host/clock.js';
import { createGrubEnvReader } from '../../host/grubenv.js';
import type { Host } from '../../host/host.js';
import type { Logger } from '../../host/log.js';
import { formatConfigProblem } from '../../errors.js';
import { readStatusDeployments } from './deployments.js';
import { readStatusJournal } from './journal.js';
import { withLimit } from './limit.js';
import { probeStatusMicroShift } from './microshift.js';
import { readOutboxCounts } from './outbox.js';
import { readStatusRecords } from './records.js';
import { gatherStatusReadiness, withLayering } from './readiness.js';
import type { ReadinessFacts } from '../../core/readiness/facts.js';
import { readRecordWriteFailure } from '../../host/record-write-failure.js';
import { readGreenbootRunning } from '../../host/greenboot-running.js';
import type { UnitReader } from './units.js';
import type { Systemd } from '../../host/systemd.js';

/** Time limits in ms. The longest path (rpm-ostree, then opening the record) stays near 1.3 s. */
export interface StatusLimits {
  files: number;
  dbus: number;
  rpmOstree: number;
  /** Until the MicroShift API accepts a connection. */
  microshift: number;
  /** For its answer once it did (a healthy API on a busy machine answers late, not never). */
  microshiftAnswer: number;
  journal: number;
  readiness: number;
}

// As in greenboot-context.ts, which status does not import: it loads rpm-ostree's parser and zod.
const GREENBOOT_CONF = '/etc/greenboot/greenboot.conf';

export const DEFAULT_STATUS_LIMITS: StatusLimits = {
  files: 1000,
  dbus: 1000,
  rpmOstree: 1000,
  microshift: 1000,
  microshiftAnswer: 3000,
  journal: 800,
  readiness: 1000,
};

export interface StatusProbeDeps {
  host: Host;
  log: Logger;
  signal: AbortSignal;
}

export interface StatusProbeOptions {
  limits?: Partial<StatusLimits>;
  /** Replaces the D-Bus adapter (tests). */
  systemd?: () => Promise<Systemd>;
  /** A unit reader kept by the caller (the daemon's, one connection for all its answers); not closed here. */
  units?: UnitReader;
  /** false: take MicroShift's state only from the daemon's look, never load the API module. */
  askMicroShiftApi?: boolean;
  /**
   * true: keep rpm-ostree's answer and journalctl's boot count in /run for the next look. Only the
   * daemon does: `status` itself never writes (a read that changes the device cannot be trusted
   * to show it).
   */
  writeCaches?: boolean;
  /**
   * Wraps the readiness look (two subprocesses and the certificates), so a long-lived caller —
   * the daemon, which gathers status every few seconds — can keep its answer a while.
   */
  readiness?: (look: () => Promise<Probe<ReadinessFacts>>) => Promise<Probe<ReadinessFacts>>;
}

export interface StatusProbes {
  gather(): Promise<StatusFacts>;
}

export function createStatusProbes(deps: StatusProbeDeps, options: StatusProbeOptions = {}): StatusProbes {
  const { host, signal } = deps;
  const limits = { ...DEFAULT_STATUS_LIMITS, ...options.limits };
  // The reader is loaded, not imported, and the adapter made on first use: the file reads below
  // start while dbus-next compiles.
  const units = lazy(async (): Promise<UnitReader> => {
    if (options.units) return options.units;
    const { createUnitReader } = await import('./units.js');
    return createUnitReader(options.systemd ?? host.systemd, limits.dbus);
  });
  // The settings are read once, also in --watch: they rarely change and cost a YAML parse. A
  // broken config is reported, and status goes on with what the boot checks run on.
  const config = lazy(() =>
    import('../../config/load.js').then(async ({ loadConfigForReading }) => {
      const { config, problems } = await loadConfigForReading(host.fs);
      return { ...config, problems: problems.map(formatConfigProblem) };
    }),
  );
  const facts = createBootFacts({ fs: host.fs, clock: host.clock });

  async function gather(): Promise<StatusFacts> {
    const now = host.clock.now();
    // Its modules load while the sources below start; the sources that need it wait for it.
    const settings = config();
    const bootId = facts.bootId().catch(() => undefined);
    const ostree = facts.isOstreeBooted();
    const unitStates = withLimit('systemd (D-Bus)', limits.dbus, signal, async (s) => (await units()).read(s));
    // Started before the settings are read (a YAML parse when there are any): these need none.
    const daemon = withLimit('daemon state', limits.files, signal, () => readDaemonState(host));
    // When the daemon's look at MicroShift is not current, the API will be asked if MicroShift
    // runs: its module loads while systemd is asked whether it does.
    if (options.askMicroShiftApi !== false)
      void daemon.then((d) =>
        currentMicroShiftLook(d.state === 'ok' ? d.value : undefined, now)
          ? undefined
          : import('../../host/microshift-api.js').catch(() => undefined),
      );
    const deployments = withLimit('rpm-ostree status', limits.rpmOstree, signal, async (s) =>
      readStatusDeployments(
        { fs: host.fs, exec: host.exec, now: () => host.clock.now() },
        {
          bootId: await bootId,
          ostree: await ostree,
          writeCache: options.writeCaches === true,
          signal: s,
          timeoutMs: limits.rpmOstree,
        },
      ),
    );
    const cfg = await settings;
    const records = withLimit('boot records', limits.files, signal, async () =>
      ok(await readStatusRecords(host.fs, cfg.boots.dir, await bootId)),
    ).then((r) => (r.state === 'ok' ? r.value : { record: r, history: r }));
    let askedMicroShift = false;
    // The whole probe: the connection's limit and the answer's, plus twice the connection's for
    // the local work before them (systemd's answer, loading the API module and reading the
    // kubeconfig), so that the API's own limits, which say "slow" or "no answer", end first.
    const microshiftLimit = 3 * limits.microshift + limits.microshiftAnswer;
    const microshiftProbe = withLimit('MicroShift API', microshiftLimit, signal, async (s) => {
      const [u, d] = await Promise.all([unitStates, daemon]);
      askedMicroShift = true;
      return probeStatusMicroShift(host.fs, {
        unit: u.state === 'ok' ? u.value.microshift : undefined,
        daemon: d.state === 'ok' ? d.value : undefined,
        kubeconfig: cfg.microshift.kubeconfig,
        workloads: cfg.microshift.workloads,
        now,
        signal: s,
        callTimeoutMs: limits.microshift,
        answerTimeoutMs: limits.microshiftAnswer,
        askApi: options.askMicroShiftApi,
      });
    });
    // The limit may end while systemd is still being asked: then MicroShift was never asked.
    const microshift = microshiftProbe.then((m) =>
      m.state === 'timed-out' && !askedMicroShift
        ? failed('timed-out', 'not asked: systemd did not answer in time')
        : m,
    );
    const journal = withLimit('journal', limits.journal, signal, async (s) =>
      readStatusJournal(host, cfg.journal, {
        bootId: await bootId,
        signal: s,
        writeCache: options.writeCaches === true,
      }),
    );
    // Started once systemd has answered: its two subprocesses (rpm, firewall-cmd) must not delay
    // the D-Bus answer the MicroShift probe waits for. Its limit still ends where it would have
    // from the start of the run, so it never makes status slower than the other probes' limits.
    const begun = sinceStartMs();
    const lookReadiness = () =>
      unitStates.then(() => {
        const limitMs = Math.max(100, limits.readiness - (sinceStartMs() - begun));
        return withLimit('readiness facts', limitMs, signal, async (s) =>
          ok(await gatherStatusReadiness(host, cfg, s, { deployments, limitMs })),
        );
      });
    const readiness = options.readiness ? options.readiness(lookReadiness) : lookReadiness();
    // While greenboot's check runs (a oneshot: "activating"), which script it is on and for how
    // long: greenboot itself never gives up on one.
    const running = unitStates.then((u) =>
      u.state === 'ok' && u.value.healthcheck?.activeState === 'activating'
        ? withLimit('greenboot processes', limits.files, signal, async () => ok(await readGreenbootRunning(host.fs)))
        : undefined,
    );
    const [device, grubenv, greenboot] = await Promise.all([
      withLimit('device facts', limits.files, signal, async () => ok(await readDevice(host, facts, await ostree))),
      withLimit('grubenv', limits.files, signal, () => readGrubenv(host)),
      readGreenboot(host, facts),
    ]);
    const { record, history } = await records;
    const [u, d, recordWriteFailure] = await Promise.all([unitStates, daemon, readRecordWriteFailure(host.fs)]);
    const state = d.state === 'ok' ? d.value : undefined;
    const daemonPidAlive = state?.pid ? await host.fs.exists(`/proc/${state.pid}`) : undefined;
    const daemonRunning = u.state === 'ok' ? u.value.daemon?.activeState === 'active' : daemonPidAlive === true;
    const hubUrl = cfg.hub?.url;
    const hubConfigured = hubUrl !== undefined || state?.hub?.configured === true;
    const outbox =
      hubConfigured && !daemonRunning
        ? await withLimit('outbox', limits.files, signal, () => readOutboxCounts(host.fs, cfg.outbox.dir))
        : undefined;
    return {
      now,
      agentVersion: version,
      runtime: runtimeInfo(process.execPath, process.version),
      isRoot: host.isRoot,
      device,
      deployments: await deployments,
      grubenv,
      greenboot,
      units: u,
      record,
      history,
      daemon: d,
      daemonPidAlive,
      microshift: await microshift,
      journal: await journal,
      outbox,
      config: { hubConfigured: hubUrl !== undefined, hubUrl, problems: cfg.problems },
      readiness: withLayering(await readiness, await deployments),
      greenbootRunning: await running,
      ...(recordWriteFailure && { recordWriteFailure }),
    };
  }

  // Nothing to close: the adapters belong to the Host, which its owner closes.
  return { gather };
}

async function readDevice(host: Host, facts: BootFacts, ostree: boolean): Promise<DeviceFacts> {
  const soft = <T>(p: Promise<T>) => p.catch(() => undefined);
  const [bootId, machineId, os, uptimeSec, bootTimeMs, hostname] = await Promise.all([
    soft(facts.bootId()),
    soft(facts.machineId()),
    soft(facts.osRelease()),
    soft(facts.uptimeSec()),
    soft(facts.bootTimeMs()),
    soft(host.fs.readText('/proc/sys/kernel/hostname')).then(
      async (h) => h?.trim() || (await soft(host.fs.readText('/etc/hostname')))?.trim() || undefined,
    ),
  ]);
  return {
    machineId,
    hostname,
    os: os && { name: os.name, version: os.versionId, prettyName: os.prettyName },
    uptimeSec,
    bootId,
    bootTimeMs,
    ostree,
  };
}

async function readGrubenv(host: Host): Promise<Probe<GrubenvFacts>> {
  const env = await createGrubEnvReader({ fs: host.fs }).read();
  return ok(env ? { present: true, bootCounter: env.bootCounter, bootSuccess: env.bootSuccess } : { present: false });
}

async function readGreenboot(host: Host, facts: BootFacts): Promise<GreenbootFacts> {
  const [implementation, text] = await Promise.all([
    facts.greenbootImplementation().catch(() => 'unknown' as const),
    host.fs.readText(GREENBOOT_CONF).catch(() => undefined),
  ]);
  const conf = parseGreenbootConf(text ?? '');
  return { implementation, maxBootAttempts: conf.maxBootAttempts, legacyMaxBoots: conf.legacyMaxBoots };
}

async function readDaemonState(host: Host): Promise<Probe<DaemonState | undefined>> {
  const text = await host.fs.readText(DAEMON_STATE_PATH);
  if (text === undefined) return ok(undefined);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return failed('error', `${DAEMON_STATE_PATH} is not valid JSON`);
  }
  const state = parseDaemonState(data);
  return state ? ok(state) : failed('error', `${DAEMON_STATE_PATH} is not a daemon state`);
}
