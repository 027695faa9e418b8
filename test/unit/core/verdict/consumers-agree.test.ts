// No two consumers of the boot verdict can disagree: for random hosts (a seeded generator, so a
// failure replays), each consumer is given the host the way it reads it — `status` its probes'
// facts and its record reader, `wait --green` its probe over systemd and the grubenv, the daemon
// and `history` the live-inputs reader — and what each shows or does is mapped back to one value.
import { describe, expect, it } from 'vitest';
import { createVerdictProbe, GreenbootUnitStates } from '../../../../agent/commands/wait/wait.js';
import { parseBootRecord, type BootRecord } from '../../../../agent/core/boot-record.js';
import { deviceStatus } from '../../../../agent/core/hub/report.js';
import { historyEntries } from '../../../../agent/core/render-history.js';
import { failed, ok, type StatusFacts, type UnitFacts } from '../../../../agent/core/status/facts.js';
import { readStatusRecord } from '../../../../agent/core/status/record.js';
import { motdText, summaryLine } from '../../../../agent/core/status/summary.js';
import { buildStatus } from '../../../../agent/core/status/status.js';
import { decideBootVerdict, type BootVerdict } from '../../../../agent/core/verdict/boot-verdict.js';
import { notifyStatusText, verdictSummary, waitAction } from '../../../../agent/core/verdict/verdict-views.js';
import { HostError } from '../../../../agent/errors.js';
import { grubEnvFromVars, type GrubEnvReader } from '../../../../agent/host/grubenv.js';
import type { ActiveState, LoadState, UnitFileState, UnitState } from '../../../../agent/host/systemd.js';
import { readCurrentBootInputs, readLiveVerdictInputs } from '../../../../agent/host/verdict-probe.js';
import { greenAfterUpdate } from '../../../fixtures/status/scenarios.js';
import { FakeGrubEnv } from '../../../fakes/grubenv.js';
import { aUnit, FakeSystemd } from '../../../fakes/systemd.js';

const SEED = 0x5eed_14;
const RUNS = 600;
const BOOT_ID = '3f2a9c1e4b5d4e6f8a9b0c1d2e3f4a5b';

// mulberry32: small, seedable, good enough to spread cases.
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return <T>(choices: readonly T[]): T => choices[Math.floor(next() * choices.length)] as T;
}

interface Host {
  /** The record as stored; 'unreadable' when the reader may not open it. */
  record: Record<string, unknown> | undefined | 'unreadable';
  systemdUp: boolean;
  units: UnitState[];
  grubenv: Record<string, string> | null | 'unreadable';
  greenboot: 'bash' | 'rs' | 'none' | 'unknown';
}

const GREENBOOT_UNITS = ['greenboot-healthcheck.service', 'boot-complete.target', 'redboot.target'];

function randomHost(pick: ReturnType<typeof random>): Host {
  const run = pick([
    undefined,
    { startedAt: 's', results: [] },
    { startedAt: 's', endedAt: 'e', verdict: 'pass', results: [] },
    { startedAt: 's', endedAt: 'e', verdict: 'fail', results: [] },
    { startedAt: 's', endedAt: 'e', verdict: 'fail', dryRun: true, results: [] },
  ]);
  const verdict = pick([undefined, undefined, 'green', 'red']);
  const record = pick(['record', 'record', 'record', 'none', 'unreadable'] as const);
  const units = GREENBOOT_UNITS.map((name) =>
    aUnit(name, {
      loadState: pick<LoadState>(['loaded', 'loaded', 'loaded', 'not-found', 'masked']),
      activeState: pick<ActiveState>(['inactive', 'activating', 'active', 'failed', 'reloading', 'deactivating']),
      unitFileState: pick<UnitFileState>(['enabled', 'static', 'disabled', 'masked', '']),
    }),
  );
  return {
    record:
      record === 'record'
        ? {
            schema: 1,
            bootId: BOOT_ID,
            firstSeenAt: '2024-07-02T10:00:00Z',
            deployment: { checksum: 'c0ffee5a1b2c3d4e', version: '9.4.1' },
            checks: run ? { required: run } : {},
            ...(verdict && { verdict }),
            ...(verdict === 'red' && { firstFailure: { id: 'microshift', reason: 'pods', message: 'pods not ready' } }),
          }
        : record === 'none'
          ? undefined
          : 'unreadable',
    systemdUp: pick([true, true, true, false]),
    units,
    grubenv: pick<Host['grubenv']>([
      null,
      'unreadable',
      {},
      { boot_success: '0', boot_counter: '2' },
      { boot_success: '0', boot_counter: '-1' },
      { boot_success: '1' },
      { boot_success: 'x', boot_counter: 'y' },
    ]),
    greenboot: pick(['bash', 'rs', 'none', 'unknown'] as const),
  };
}

// --- each consumer, fed the host the way it reads it ---

function systemdOf(host: Host): FakeSystemd {
  const systemd = new FakeSystemd(host.units);
  if (!host.systemdUp)
    systemd.failure = new HostError('dbus-unreachable', 'connect ENOENT /run/dbus/system_bus_socket');
  return systemd;
}

function grubenvOf(host: Host): GrubEnvReader {
  if (host.grubenv === 'unreadable')
    return { read: () => Promise.reject(new Error('/boot/grub2/grubenv: permission denied')) };
  return new FakeGrubEnv(host.grubenv);
}

const bootRecord = (host: Host): BootRecord | undefined =>
  typeof host.record === 'object' ? parseBootRecord(host.record) : undefined;

/** `status`: the probes' facts (units as UnitFacts, the parsed grubenv, its own record reader). */
function statusView(host: Host) {
  const base = greenAfterUpdate();
  const unitFacts = (u: UnitState): UnitFacts => ({
    loadState: u.loadState,
    activeState: u.activeState,
    subState: u.subState,
    unitFileState: u.unitFileState,
  });
  const [healthcheck, bootComplete, redboot] = host.units.map(unitFacts);
  const grub = host.grubenv === 'unreadable' || host.grubenv === null ? undefined : grubEnvFromVars(host.grubenv);
  const facts: StatusFacts = {
    ...base,
    units: host.systemdUp
      ? ok({ healthcheck, bootComplete, redboot })
      : failed('error', 'connect ENOENT /run/dbus/system_bus_socket'),
    grubenv:
      host.grubenv === 'unreadable'
        ? failed('needs-root', 'permission denied')
        : ok({ present: host.grubenv !== null, bootCounter: grub?.bootCounter, bootSuccess: grub?.bootSuccess }),
    greenboot: { implementation: host.greenboot },
    record:
      host.record === 'unreadable'
        ? failed('needs-root', 'permission denied')
        : ok(host.record && readStatusRecord(host.record)),
  };
  const result = buildStatus(facts);
  return {
    state: result.state,
    verdict: result.boot.state === 'ok' ? result.boot.verdict : undefined,
    summary: result.summary,
  };
}

/** `wait --green`: its probe over systemd (no D-Bus watch: read per probe) and the grubenv. */
async function waitView(host: Host) {
  const units = new GreenbootUnitStates(
    { log: { warn: () => undefined } as never, signal: new AbortController().signal },
    async () => systemdOf(host),
  );
  const probe = createVerdictProbe({
    readRecord: async () => {
      if (host.record === 'unreadable') throw new Error('EACCES');
      return bootRecord(host);
    },
    units,
    grubenv: grubenvOf(host),
    greenboot: host.greenboot,
  });
  return waitAction(decideBootVerdict(await probe()).verdict);
}

/** The daemon: the live inputs, then the hub status, the login message and sd_notify STATUS. */
async function daemonViews(host: Host) {
  const record = bootRecord(host);
  const decision = decideBootVerdict(
    await readLiveVerdictInputs(
      { grubenv: grubenvOf(host), systemd: async () => systemdOf(host) },
      host.record === 'unreadable' ? 'unreadable' : (record ?? 'none'),
      host.greenboot,
    ),
  );
  return {
    hub: deviceStatus({ record, verdict: decision }).verdict,
    motd: motdText(summaryLine(verdictSummary(decision, record)), new Date(0)),
    notify: notifyStatusText(decision, 'hub connected, 0 queued'),
  };
}

/** `history`: this boot's line, when there is a record to list. */
async function historyView(host: Host): Promise<BootVerdict | undefined> {
  const record = bootRecord(host);
  if (!record) return undefined;
  const current = await readCurrentBootInputs(
    {
      grubenv: grubenvOf(host),
      systemd: async () => systemdOf(host),
      bootId: async () => BOOT_ID,
      greenboot: async () => host.greenboot,
    },
    [record],
  );
  return historyEntries([record], 1, undefined, current)[0]?.verdict;
}

// --- what each shows or does, as one value ---

const fromLine = (line: string) => {
  const word = /^(?:edge-agent: )?([A-Z]+):/.exec(line)?.[1]?.toLowerCase();
  // DEGRADED is status's "green, but edge-agent cannot vouch for it".
  return word === 'degraded' ? 'green' : word;
};
const fromNotify = (text: string) => /^boot (\w+),/.exec(text)?.[1];

describe('every consumer shows and acts on the same verdict', () => {
  it(`for ${RUNS} random hosts (seed ${SEED})`, async () => {
    const pick = random(SEED);
    const disagreements: unknown[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < RUNS; i++) {
      const host = randomHost(pick);
      const status = statusView(host);
      const [gate, daemon, history] = await Promise.all([waitView(host), daemonViews(host), historyView(host)]);
      const verdict = status.verdict;
      seen.add(String(verdict));
      const shown = {
        statusState: status.state === 'degraded' ? 'green' : status.state,
        statusSummary: fromLine(status.summary),
        gate,
        hub: daemon.hub,
        motd: fromLine(daemon.motd),
        notify: fromNotify(daemon.notify),
        history: history ?? verdict,
      };
      const want = {
        statusState: verdict,
        statusSummary: verdict,
        gate: verdict && waitAction(verdict),
        hub: verdict,
        motd: verdict,
        notify: verdict,
        history: verdict,
      };
      if (JSON.stringify(shown) !== JSON.stringify(want)) disagreements.push({ i, host, shown, want });
    }
    expect(disagreements.slice(0, 3)).toEqual([]);
    // The generator reaches every verdict (a property over one verdict only would prove little).
    expect([...seen].sort()).toEqual(['checking', 'green', 'red', 'unknown']);
  });

  it("the issue's case: a green record while greenboot-healthcheck.service failed is red everywhere", async () => {
    const host: Host = {
      record: {
        schema: 1,
        bootId: BOOT_ID,
        verdict: 'green',
        checks: { required: { startedAt: 's', endedAt: 'e', verdict: 'pass', results: [] } },
      },
      systemdUp: true,
      units: [
        aUnit('greenboot-healthcheck.service', { activeState: 'failed' }),
        aUnit('boot-complete.target'),
        aUnit('redboot.target', { activeState: 'active' }),
      ],
      grubenv: { boot_success: '0', boot_counter: '1' },
      greenboot: 'bash',
    };
    const daemon = await daemonViews(host);
    expect(statusView(host).state).toBe('red');
    expect(await waitView(host)).toBe('fail');
    expect(daemon.hub).toBe('red');
    expect(daemon.motd).toMatch(/^edge-agent: RED: /);
    expect(daemon.notify).toBe('boot red, hub connected, 0 queued');
    expect(await historyView(host)).toBe('red');
  });
});
