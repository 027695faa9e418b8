// Shared plumbing of the check benchmarks: a virtual edge device with the simulated MicroShift and
// edge-agent installed (not booted through greenboot: the benchmarks start the check themselves),
// journal reading with wall-clock timestamps, and control of microshift.service between runs.
//
// Every time here is wall-clock (CLOCK_REALTIME) in microseconds, as journald stamps entries. The
// device shares the host's wall clock, but its monotonic clock is its own (a time namespace per
// boot, so its uptime is its own): systemd's *Monotonic values are read against the device's.
import { execa } from 'execa';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { repoRoot } from '../../test/harness/bundle.js';
import { bootEdgeDevice, type EdgeDeviceOptions } from '../../test/harness/edge-device.js';
import { useAgentBundle } from '../../test/harness/install-agent.js';
import { microshiftPaths } from '../../test/harness/microshift/install.js';
import { setScenario } from '../../test/harness/microshift/install.js';
import type { Scenario } from '../../test/harness/microshift/scenario.js';
import {
  disposeAllDevices,
  type JournalEntry,
  type JournalQuery,
  type VirtualDevice,
} from '../../test/harness/vdev.js';

export type { JournalEntry, VirtualDevice };

let handlersInstalled = false;

// The benchmark's own build of the working tree (the same build as `npm run build`), apart from
// build/dist so that a test run rebuilding build/dist meanwhile cannot pull chunks from under a
// running check. The device sees the repo at the same path.
const benchDist = join(repoRoot, 'build', 'bench', `dist-${process.pid}`);

async function buildBenchAgent(): Promise<string> {
  const result = await execa('node', [join(repoRoot, 'packaging', 'build.mjs')], {
    env: { EDGE_AGENT_OUTDIR: benchDist },
    reject: false,
    all: true,
  });
  if (result.exitCode !== 0)
    throw new Error(`building edge-agent from the working tree failed:\n${String(result.all)}`);
  return join(benchDist, 'edge-agent.cjs');
}

/** Which source the figures belong to: the commit, and whether agent/ had uncommitted changes. */
export async function sourceRevision(): Promise<string> {
  const head = await execa('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, reject: false });
  const dirty = await execa('git', ['status', '--porcelain', '--', 'agent'], { cwd: repoRoot, reject: false });
  if (head.exitCode !== 0) return 'unknown (not a git checkout)';
  return `${String(head.stdout).trim()}${String(dirty.stdout).trim() ? ' + uncommitted changes in agent/' : ''}`;
}

/**
 * Build edge-agent, boot a device with it (launcher pointed at this build), run `body`, and
 * dispose of the device and the build whatever happens (also on Ctrl-C).
 */
export async function withDevice<T>(
  options: EdgeDeviceOptions,
  body: (device: VirtualDevice) => Promise<T>,
): Promise<T> {
  installSignalHandlers();
  try {
    const cli = await buildBenchAgent();
    const device = await bootEdgeDevice({ boot: false, ...options });
    try {
      // The launcher and the unit (which starts cli.js itself, with its own Node flags) alike.
      await useAgentBundle(device, dirname(cli));
      return await body(device);
    } finally {
      await device.dispose();
    }
  } finally {
    await rm(benchDist, { recursive: true, force: true });
  }
}

// `on`, not `once`: execa's exit hook (signal-exit) re-raises a signal nobody else listens to,
// which would kill the process before the devices are gone. A second signal is ignored.
function installSignalHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  let disposing = false;
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.on(signal, () => {
      if (disposing) return;
      disposing = true;
      process.stderr.write(`\n${signal}: disposing of the virtual devices\n`);
      void disposeAllDevices()
        .catch((error: unknown) => process.stderr.write(`disposing failed: ${String(error)}\n`))
        .then(() => rm(benchDist, { recursive: true, force: true }))
        .finally(() => process.exit(code));
    });
  }
}

/** Wall-clock now in µs (journal time base). */
export function nowUs(): number {
  return Date.now() * 1000;
}

/** The device's CLOCK_MONOTONIC now in µs (its uptime: /proc/uptime, 10 ms steps), as its systemd counts. */
export async function deviceMonotonicUs(device: VirtualDevice): Promise<number> {
  // Read by a process inside (in the device's time namespace), not through the host's /proc.
  const uptime = Number((await device.exec(['cat', '/proc/uptime'])).stdout.split(' ')[0]);
  if (!Number.isFinite(uptime)) throw new Error('cannot read the device uptime from /proc/uptime');
  return Math.round(uptime * 1e6);
}

export function realtimeUs(entry: JournalEntry): number {
  return Number(entry.__REALTIME_TIMESTAMP);
}

/** Journal entries of this boot matching `query` stamped at or after `sinceUs`. */
export async function journalSince(
  device: VirtualDevice,
  query: JournalQuery,
  sinceUs: number,
): Promise<JournalEntry[]> {
  return (await device.journal(query)).filter((e) => realtimeUs(e) >= sinceUs);
}

/** Poll the journal until an entry (stamped at or after sinceUs) matches; throws after timeoutMs. */
export async function waitForJournal(
  device: VirtualDevice,
  query: JournalQuery,
  sinceUs: number,
  match: (message: string) => boolean,
  timeoutMs: number,
  what: string,
): Promise<JournalEntry> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await journalSince(device, query, sinceUs)).find((e) => match(String(e.MESSAGE)));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no journal line for ${what} within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** `systemctl show` of some properties of one unit. */
export async function showUnit(
  device: VirtualDevice,
  unit: string,
  properties: string[],
): Promise<Record<string, string>> {
  const result = await device.exec(['systemctl', 'show', unit, '-p', properties.join(',')]);
  if (result.exitCode !== 0) throw new Error(`systemctl show ${unit} failed: ${result.stderr.trim()}`);
  return Object.fromEntries(
    result.stdout
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

/** Stop MicroShift and clear what a previous run left: failed state, restart count, pre-run log. */
export async function resetMicroShift(device: VirtualDevice): Promise<void> {
  await device.exec(['systemctl', 'stop', 'microshift.service', 'microshift-etcd.service']);
  await device.exec(['systemctl', 'reset-failed', 'microshift.service', 'microshift-etcd.service']);
  await device.exec(['rm', '-f', microshiftPaths.prerunLog]);
}

/** One process of the simulator, as its own journal lines show it. */
export interface SimProcess {
  pid: string;
  lines: JournalEntry[];
  /** Wall-clock µs at which its timeline began (the `t=` of its lines counts from there). */
  startUs: number;
}

/**
 * The simulator's processes among microshift.service's journal entries, in start order. Each line
 * ends `(t=S.SSs)`, its time on the process's own timeline, so journal time minus t is when the
 * timeline began: the smallest such value over its lines is the tightest estimate (t is rounded to
 * 10 ms, so the anchor is good to about ±5 ms).
 */
export function simProcesses(entries: JournalEntry[]): SimProcess[] {
  const byPid = new Map<string, JournalEntry[]>();
  for (const entry of entries) {
    if (!String(entry.MESSAGE).startsWith('microshift-sim: ') || entry._PID === undefined) continue;
    const pid = String(entry._PID);
    byPid.set(pid, [...(byPid.get(pid) ?? []), entry]);
  }
  return [...byPid.entries()]
    .map(([pid, lines]) => {
      const starts = lines.map((e) => {
        const t = /\(t=(\d+(?:\.\d+)?)s\)$/.exec(String(e.MESSAGE));
        return t ? realtimeUs(e) - Number(t[1]) * 1e6 : Number.POSITIVE_INFINITY;
      });
      return { pid, lines, startUs: Math.min(...starts) };
    })
    .filter((p) => Number.isFinite(p.startUs))
    .sort((a, b) => a.startUs - b.startUs);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Reject when `promise` has not settled within ms. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>(
        (_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms)),
      ),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Start `edge-agent check --dry-run --json` inside without waiting. Its log lines go to the
 * device's journal under the identifier `edge-agent`: natively when the optional journald binding
 * is installed, else as `<N>`-prefixed stderr lines through systemd-cat (as greenboot connects
 * scripts). stdout stays the JSON report. `timeout` inside bounds a check that never ends.
 */
export function spawnCheck(device: VirtualDevice, limitSec: number, args: string[] = ['check', '--dry-run', '--json']) {
  const script = 'exec timeout -s TERM -k 5 "$0" /usr/bin/edge-agent "$@" 2> >(exec systemd-cat -t edge-agent)';
  return device.spawn(['bash', '-c', script, String(limitSec), ...args], { env: { EDGE_AGENT_LOG_FORMAT: 'journal' } });
}

export interface CheckRunResult {
  id: string;
  outcome: string;
  reason: string;
  message: string;
  startedAt: string;
  endedAt: string;
  durationMs: number;
}

/** The result of one check from the --json report. */
export function checkResult(stdout: string, id: string): CheckRunResult {
  let report: { results?: CheckRunResult[] };
  try {
    report = JSON.parse(stdout) as { results?: CheckRunResult[] };
  } catch {
    throw new Error(`edge-agent check printed no JSON report: ${stdout.slice(0, 300) || '(nothing)'}`);
  }
  const result = report.results?.find((r) => r.id === id);
  if (!result) throw new Error(`the report has no '${id}' check`);
  return result;
}

export interface ScenarioRun {
  result: CheckRunResult;
  /** When microshift.service was restarted with the scenario (the check already watching it). */
  startUs: number;
  /** microshift.service's journal (systemd's and the simulator's lines) since the restart. */
  unitJournal: JournalEntry[];
  /** The check's own journal lines since it started. */
  agentJournal: JournalEntry[];
}

/**
 * One `edge-agent check` against one scenario: the check is started first and waits for
 * microshift.service, then MicroShift is restarted with the scenario, so the check sees the whole
 * story from the unit's start. `limitSec` bounds the check.
 */
export async function runCheckAgainst(device: VirtualDevice, next: Scenario, limitSec: number): Promise<ScenarioRun> {
  await resetMicroShift(device);
  const since = nowUs();
  const check = spawnCheck(device, limitSec);
  try {
    await waitForJournal(
      device,
      { identifier: 'edge-agent' },
      since,
      (m) => /^Waiting \d+s for microshift\.service/.test(m),
      30_000,
      'the check to start watching microshift.service',
    );
    const startUs = nowUs();
    await setScenario(device, next, { restart: true });
    const ended = await within(check, (limitSec + 10) * 1000, 'edge-agent check');
    const result = checkResult(String(ended.stdout), 'microshift');
    const [unitJournal, agentJournal] = await Promise.all([
      journalSince(device, { unit: 'microshift.service' }, startUs),
      journalSince(device, { identifier: 'edge-agent' }, since),
    ]);
    return { result, startUs, unitJournal, agentJournal };
  } finally {
    check.kill('SIGKILL');
    await check.catch(() => undefined);
  }
}

/**
 * When microshift.service entered `failed` (systemd's start limit), waiting for it a while: from
 * systemd's journal line (wall clock), not the unit's *Monotonic timestamps.
 */
export async function unitFailedAt(
  device: VirtualDevice,
  sinceUs: number,
  waitMs: number,
): Promise<number | undefined> {
  const until = Date.now() + waitMs;
  for (;;) {
    const unit = await showUnit(device, 'microshift.service', ['ActiveState']);
    if (unit.ActiveState === 'failed') {
      const lines = await journalSince(device, { unit: 'microshift.service' }, sinceUs);
      const limit = lines.find((e) => /Start request repeated too quickly/.test(String(e.MESSAGE)));
      return limit && realtimeUs(limit);
    }
    if (Date.now() > until) return undefined;
    await sleep(250);
  }
}
