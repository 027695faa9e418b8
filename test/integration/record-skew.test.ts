// Version skew through the real commands on a virtual edge device. After a rollback, this
// edge-agent finds records that the update's newer agent wrote (a newer `schema`, a verdict and a
// check class it does not know, a field whose type changed, fields it has never heard of) and
// records an older agent wrote (fewer fields). `status`, `status --json`, `history`, `boot red` and
// `boot green` (run by greenboot's red.d/green.d scripts) and the daemon reporting to a real
// Mosquitto read them: nothing is moved aside, the newer values survive every rewrite, and the
// newer values are shown as "written by a newer edge-agent (...)".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceStatusSchema, HubEventSchema } from '../../agent/core/hub/payloads.js';
import type { StatusResult } from '../../agent/core/status/schema.js';
import { bootEdgeDevice } from '../harness/edge-device.js';
import { deviceHubSetup, startBroker, subscribe, type Subscriber, type TestBroker } from '../harness/mosquitto.js';
import type { VirtualDevice } from '../harness/vdev.js';

const PREFIX = 'edge/v1/device-a';
const BOOTS = '/var/lib/edge-agent/boots';
const FUTURE = 'f0'.repeat(16);
const OLDER = '0a'.repeat(16);

// The boot before the rollback, as a future schema 3 would write it: the verdict it gave is a
// value this version does not know, one check has a class it does not know, `verdictAt` changed
// from a string to an object, and `attestation` is new. Its other required check failed in a way
// this version can read, so the daemon has an event of it to report (and a mark to write back).
const futureRecord = {
  schema: 3,
  bootId: FUTURE,
  firstSeenAt: '2026-11-30T10:00:00.000Z',
  deployment: { checksum: 'c0ffee'.padEnd(64, '0'), version: '9.9.0' },
  verdict: 'quarantined',
  verdictAt: { at: '2026-11-30T10:05:00.000Z', by: 'fleet-policy' },
  attestation: { quote: 'q', pcrs: [0, 7] },
  checks: {
    required: {
      startedAt: '2026-11-30T10:01:00.000Z',
      endedAt: '2026-11-30T10:02:00.000Z',
      verdict: 'fail',
      results: [
        {
          id: 'tpm-policy',
          class: 'critical',
          startedAt: '2026-11-30T10:01:00.000Z',
          endedAt: '2026-11-30T10:01:01.000Z',
          durationMs: 1000,
          outcome: 'fail',
          reason: 'policy',
          message: 'PCR 7 changed',
        },
        {
          id: 'microshift',
          class: 'required',
          startedAt: '2026-11-30T10:01:00.000Z',
          endedAt: '2026-11-30T10:02:00.000Z',
          durationMs: 60000,
          outcome: 'fail',
          reason: 'pods-not-ready',
          message: '3 of 8 pods not ready',
        },
      ],
    },
  },
};

// An older edge-agent's record: no schema number, no greenboot or budget sections, no hub marks.
const olderRecord = {
  bootId: OLDER,
  firstSeenAt: '2026-11-01T08:00:00.000Z',
  deployment: { checksum: 'beef'.padEnd(64, '0'), version: '9.3.0' },
  verdict: 'green',
  verdictAt: '2026-11-01T08:02:00.000Z',
  checks: {},
};

let broker: TestBroker;
let device: VirtualDevice;
let watcher: Subscriber;
let current = '';

beforeAll(async () => {
  broker = await startBroker();
  watcher = await subscribe(broker, [`${PREFIX}/#`]);
  const hub = await deviceHubSetup(broker);
  device = await bootEdgeDevice({
    deployments: [{ version: '9.4.0' }],
    config: [
      ...hub.config,
      // The device has no time sync: keep its failing wanted check out of the records.
      'disabledChecks: [clock-synchronized]',
      '',
    ].join('\n'),
    files: {
      ...hub.files,
    },
  });
  current = (await device.sh('cat /proc/sys/kernel/random/boot_id')).trim().replaceAll('-', '');
  // The daemon starts later, once the records are in place: stop any that came up with the boot.
  await device.exec(['systemctl', 'stop', 'edge-agent.service']);
  await device.writeFile(`${BOOTS}/${FUTURE}.json`, `${JSON.stringify(futureRecord, null, 2)}\n`, 0o644);
  await device.writeFile(`${BOOTS}/${OLDER}.json`, `${JSON.stringify(olderRecord, null, 2)}\n`, 0o644);
  // This boot's own record as if the newer agent had written it earlier in this boot (an agent
  // downgraded in place): a newer schema, an extra field, a changed type and a new check class.
  const own = JSON.parse(await device.sh(`cat ${BOOTS}/${current}.json`)) as Record<string, unknown>;
  const checks = (own.checks ?? {}) as Record<string, unknown>;
  own.schema = 3;
  own.attestation = { quote: 'mine' };
  own.budget = '90s';
  checks.wanted = {
    startedAt: '2026-12-01T00:00:00.000Z',
    results: [
      {
        id: 'fleet-policy',
        class: 'advisory',
        startedAt: '2026-12-01T00:00:00.000Z',
        endedAt: '2026-12-01T00:00:01.000Z',
        durationMs: 1000,
        outcome: 'pass',
        reason: 'ok',
        message: 'policy met',
      },
    ],
  };
  own.checks = checks;
  await device.writeFile(`${BOOTS}/${current}.json`, `${JSON.stringify(own, null, 2)}\n`, 0o644);
}, 240_000);

afterAll(async () => {
  await watcher?.close();
  await device?.dispose();
  await broker?.cleanup();
});

const readRecord = async (bootId: string) =>
  JSON.parse(await device.sh(`cat ${BOOTS}/${bootId}.json`)) as Record<string, unknown>;

/** Only the three records, none moved aside, no temp file left. */
async function expectNothingMovedAside(): Promise<void> {
  const names = (await device.sh(`ls -A ${BOOTS}`)).trim().split('\n').sort();
  expect(names).toEqual([`${OLDER}.json`, `${current}.json`, `${FUTURE}.json`].sort());
}

/** The newer values of this boot's record are all still there. */
function expectOwnNewerKept(record: Record<string, unknown>): void {
  expect(record).toMatchObject({ schema: 3, attestation: { quote: 'mine' }, budget: '90s' });
  expect((record.checks as { wanted?: { results: { id: string; class: string }[] } }).wanted?.results).toContainEqual(
    expect.objectContaining({ id: 'fleet-policy', class: 'advisory' }),
  );
}

describe('records of a newer and an older edge-agent on a rolled-back device', () => {
  it('status, status --json and history read them with a note and move nothing aside', async () => {
    const json = await device.exec(['edge-agent', 'status', '--json']);
    expect(json.stderr).not.toMatch(/unreadable|moved it aside|internal error/);
    const parsed = JSON.parse(json.stdout) as StatusResult;
    expect(parsed.exitCode).toBe(json.exitCode);
    const notes = parsed.problems.map((p) => p.message).filter((m) => m.includes('written by a newer edge-agent'));
    // Both records holding newer values are named; the older agent's record is not.
    expect(notes.some((m) => m.includes(FUTURE.slice(0, 8)) && m.includes('verdict: "quarantined"'))).toBe(true);
    expect(
      notes.some((m) => m.includes(current.slice(0, 8)) && m.includes('"advisory"')),
      JSON.stringify(parsed.problems),
    ).toBe(true);
    expect(notes.some((m) => m.includes(OLDER.slice(0, 8)))).toBe(false);

    const text = await device.exec(['edge-agent', 'status'], { env: { NO_COLOR: '1' } });
    expect(text.exitCode).toBe(json.exitCode);
    expect(text.stdout.replace(/\n\s+/g, ' ')).toContain('written by a newer edge-agent (');

    const history = await device.exec(['edge-agent', 'history', '-n', '10']);
    expect(history.exitCode, history.stderr).toBe(0);
    const lines = history.stdout.replace(/\n\s+/g, ' ');
    expect(lines).toContain('9.9.0');
    expect(lines).toContain('9.3.0');
    expect(lines).toContain('verdict: "quarantined"');
    expect(lines).toContain('checks.required.results[id=tpm-policy]');
    expect(lines).toContain('budget: "90s"');
    await expectNothingMovedAside();
    // Reading alone rewrites nothing.
    expect(await readRecord(FUTURE)).toEqual(futureRecord);
    expect(await readRecord(OLDER)).toEqual(olderRecord);
  });

  it('boot red and boot green, as greenboot runs them, rewrite this boot and keep what they could not read', async () => {
    const red = await device.exec(['/etc/greenboot/red.d/35_edge_agent_red.sh']);
    expect(red.exitCode, red.stdout + red.stderr).toBe(0);
    const afterRed = await readRecord(current);
    expect(afterRed.verdict).toBe('red');
    expectOwnNewerKept(afterRed);

    const green = await device.exec(['/etc/greenboot/green.d/35_edge_agent_green.sh']);
    expect(green.exitCode, green.stdout + green.stderr).toBe(0);
    const afterGreen = await readRecord(current);
    expect(afterGreen.verdict).toBe('green');
    expectOwnNewerKept(afterGreen);
    await expectNothingMovedAside();
    // `boot green` may add what it knows to the boot before (greenboot's scripts, copied from the
    // journal), but every value the newer agent wrote is still there as written.
    expect(await readRecord(FUTURE)).toMatchObject(futureRecord);
    expect(await readRecord(OLDER)).toMatchObject(olderRecord);
  });

  it('the daemon reports the newer record it can read, marks it and keeps the rest', async () => {
    const start = await device.exec(['systemctl', 'start', 'edge-agent.service']);
    expect(start.exitCode, start.stderr).toBe(0);
    // The check of the previous boot that this version can read goes to the hub as an event.
    await watcher.until(
      (messages) =>
        messages.some(
          (m) =>
            m.topic === `${PREFIX}/events` &&
            HubEventSchema.parse(JSON.parse(m.payload)).type === 'check-failed' &&
            m.payload.includes('3 of 8 pods not ready'),
        ),
      90_000,
    );
    await watcher.until(
      (messages) =>
        messages.some(
          (m) => m.topic === `${PREFIX}/status` && DeviceStatusSchema.safeParse(JSON.parse(m.payload)).success,
        ),
      90_000,
    );
    // The daemon marked the event as reported in the newer record, and kept every value it set aside.
    const deadline = Date.now() + 60_000;
    let previous = await readRecord(FUTURE);
    while (!Array.isArray(previous.hubReported) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      previous = await readRecord(FUTURE);
    }
    expect(previous.hubReported).toEqual([expect.stringMatching(/^check:required:microshift:/)]);
    expect(previous).toMatchObject(futureRecord);
    // The unknown class and verdict are not reported as something they are not.
    const events = watcher.messages.filter((m) => m.topic === `${PREFIX}/events`).map((m) => m.payload);
    expect(events.some((p) => p.includes('tpm-policy') || p.includes('quarantined'))).toBe(false);
    expect((await device.exec(['systemctl', 'is-active', 'edge-agent.service'])).stdout.trim()).toBe('active');
    expectOwnNewerKept(await readRecord(current));
    await expectNothingMovedAside();
  });
});
