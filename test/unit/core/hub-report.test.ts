// What the daemon tells the hub: the events not reported yet, decided from the boot record (in a
// fixed order, each under a mark kept in the record), and the compact device status, whose verdict
// is the one boot verdict (core/verdict/boot-verdict.ts) the daemon decided.
import { describe, expect, it } from 'vitest';
import type { BootRecord, RollbackEvent } from '../../../agent/core/boot-record.js';
import { deviceStatus, pendingEvents, shortRef, type StatusFacts } from '../../../agent/core/hub/report.js';
import { decideBootVerdict } from '../../../agent/core/verdict/boot-verdict.js';
import { recordInput } from '../../../agent/core/verdict/verdict-inputs.js';
import { DeviceStatusSchema, HubEventSchema, toWireEvent, toWireStatus } from '../../../agent/core/hub/payloads.js';

const good = { checksum: 'a'.repeat(64), version: '9.4.0' };
const bad = { checksum: 'b'.repeat(64), version: '9.4.2' };
const next = { checksum: 'c'.repeat(64), version: '9.4.3', origin: 'edge:rhel/9/x86_64/edge' };

type Result = NonNullable<BootRecord['checks']['required']>['results'][number];

function result(
  id: string,
  cls: 'required' | 'wanted',
  outcome: string,
  reason = outcome === 'pass' ? 'ok' : 'crash-loop',
  endedAt = '2026-01-01T00:01:00.000Z',
): Result {
  return {
    id,
    class: cls,
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt,
    durationMs: 60_000,
    outcome,
    reason,
    message: `${id} ${reason}`,
  };
}

function record(changes: Partial<BootRecord> & { required?: Result[]; wanted?: Result[] } = {}): BootRecord {
  const { required, wanted, ...rest } = changes;
  return {
    schema: 1,
    bootId: '0123456789abcdef0123456789abcdef',
    deployment: good,
    checks: {
      ...(required ? { required: { startedAt: '2026-01-01T00:00:00.000Z', results: required } } : {}),
      ...(wanted ? { wanted: { startedAt: '2026-01-01T00:00:00.000Z', results: wanted } } : {}),
    },
    ...rest,
  };
}

const rollback: RollbackEvent = {
  detectedAt: '2026-01-01T00:00:05.000Z',
  from: bad,
  to: good,
  failedBoots: 3,
  firstFailure: { id: 'microshift', reason: 'crash-loop' },
  message:
    'rolled back from 9.4.2 (bbbbbbb) to 9.4.0 (aaaaaaa) after 3 failed boots; first failing check: microshift: crash-loop',
};

/** The daemon's facts when D-Bus is down: the verdict rests on the record alone. */
function withVerdict(r: BootRecord | undefined, more: Omit<StatusFacts, 'record' | 'verdict'> = {}): StatusFacts {
  const verdict = decideBootVerdict({
    record: r ? recordInput(r) : 'none',
    units: { unreachable: 'D-Bus is down' },
    grubenv: 'absent',
    greenboot: 'bash',
  });
  return { record: r, verdict, ...more };
}

const summary = (r: BootRecord) => pendingEvents(r).map((e) => [e.type, e.mark]);

describe('pendingEvents', () => {
  it.each<[string, BootRecord, [string, string][]]>([
    ['a record without a verdict or failures', record(), []],
    ['checks still running', record({ required: [] }), []],
    [
      'a green boot',
      record({ verdict: 'green', required: [result('microshift', 'required', 'pass')] }),
      [['boot-verdict', 'verdict:green']],
    ],
    [
      'a red boot: the failed check, then the verdict',
      record({ verdict: 'red', required: [result('microshift', 'required', 'fail')] }),
      [
        ['check-failed', 'check:required:microshift:2026-01-01T00:01:00.000Z'],
        ['boot-verdict', 'verdict:red'],
      ],
    ],
    [
      'a timeout counts as failed; pass, skipped and terminated do not',
      record({
        required: [
          result('microshift', 'required', 'timeout', 'api-not-ready'),
          result('a', 'required', 'pass'),
          result('b', 'required', 'skipped', 'disabled'),
          result('c', 'required', 'terminated', 'sigterm'),
        ],
      }),
      [['check-failed', 'check:required:microshift:2026-01-01T00:01:00.000Z']],
    ],
    [
      'a failed wanted check on a green boot',
      record({
        verdict: 'green',
        required: [result('microshift', 'required', 'pass')],
        wanted: [result('var-free-space', 'wanted', 'fail', 'below-threshold')],
      }),
      [
        ['check-failed', 'check:wanted:var-free-space:2026-01-01T00:01:00.000Z'],
        ['boot-verdict', 'verdict:green'],
      ],
    ],
    [
      'the fallback boot after a rollback: the rollback first',
      record({ verdict: 'green', rollback }),
      [
        ['rollback-detected', 'rollback'],
        ['boot-verdict', 'verdict:green'],
      ],
    ],
    [
      'a staged update',
      record({ verdict: 'green', staged: next }),
      [
        ['boot-verdict', 'verdict:green'],
        ['update-staged', `staged:${next.checksum}`],
      ],
    ],
    ['a staged deployment without a checksum is not an event', record({ staged: { version: '9.4.3' } }), []],
  ])('%s', (_name, input, expected) => {
    expect(summary(input)).toEqual(expected);
  });

  it.each<[string, string[], string[]]>([
    [
      'everything already reported',
      ['rollback', 'check:required:microshift:2026-01-01T00:01:00.000Z', 'verdict:red', `staged:${next.checksum}`],
      [],
    ],
    [
      'only the verdict already reported',
      ['verdict:red'],
      ['rollback', 'check:required:microshift:2026-01-01T00:01:00.000Z', `staged:${next.checksum}`],
    ],
    [
      'another verdict reported before (green, then boot red)',
      ['verdict:green'],
      ['rollback', 'check:required:microshift:2026-01-01T00:01:00.000Z', 'verdict:red', `staged:${next.checksum}`],
    ],
    [
      'the same check from an earlier run',
      ['check:required:microshift:2026-01-01T00:00:30.000Z'],
      ['rollback', 'check:required:microshift:2026-01-01T00:01:00.000Z', 'verdict:red', `staged:${next.checksum}`],
    ],
    [
      'another staged update',
      [`staged:${bad.checksum}`],
      ['rollback', 'check:required:microshift:2026-01-01T00:01:00.000Z', 'verdict:red', `staged:${next.checksum}`],
    ],
  ])('skips what the record marks as reported: %s', (_name, hubReported, marks) => {
    const r = record({
      verdict: 'red',
      rollback,
      staged: next,
      required: [result('microshift', 'required', 'fail')],
      hubReported,
    });
    expect(pendingEvents(r).map((e) => e.mark)).toEqual(marks);
  });

  it('fills the event bodies from the record, short refs and all', () => {
    const r = record({
      verdict: 'red',
      deployment: bad,
      greenboot: { implementation: 'bash', attempt: 2, attempts: 3 },
      rollback,
      staged: next,
      required: [result('microshift', 'required', 'fail'), result('pull-secret', 'required', 'pass')],
      wanted: [result('var-free-space', 'wanted', 'fail', 'below-threshold')],
    });
    const bodies = Object.fromEntries(pendingEvents(r).map((e) => [e.mark.split(':')[0], e.body]));
    expect(bodies.rollback).toEqual({
      at: rollback.detectedAt,
      from: { version: '9.4.2', checksum: 'bbbbbbbbbbbb' },
      to: { version: '9.4.0', checksum: 'aaaaaaaaaaaa' },
      reason: rollback.message,
    });
    expect(bodies.verdict).toEqual({
      verdict: 'red',
      bootId: r.bootId,
      deployment: { version: '9.4.2', checksum: 'bbbbbbbbbbbb' },
      attempt: { n: 2, max: 3 },
      // Only required checks explain a red verdict.
      failed: [{ check: 'microshift', reason: 'crash-loop' }],
    });
    expect(bodies.staged).toEqual({ deployment: { version: '9.4.3', checksum: 'cccccccccccc' } });
  });

  it('sends the pre-rollback steps with the rollback, messages cut to 200 characters, in a body the hub schema accepts', () => {
    const steps = [
      { id: 'stop-microshift', startedAt: 'a', endedAt: 'b', outcome: 'done', message: 'stopped' },
      { id: 'hook:<b>app</b>', startedAt: 'a', endedAt: 'b', outcome: 'failed', message: 'x'.repeat(500) },
    ];
    const r = record({ verdict: 'green', rollback: { ...rollback, preRollback: steps } });
    const event = pendingEvents(r).find((e) => e.type === 'rollback-detected');
    expect(event?.body).toMatchObject({
      preRollback: [
        { id: 'stop-microshift', outcome: 'done', message: 'stopped' },
        { id: 'hook:<b>app</b>', outcome: 'failed', message: 'x'.repeat(200) },
      ],
    });
    const wire = toWireEvent(
      {
        id: '01J00000000000000000000001',
        type: 'rollback-detected',
        time: '2026-01-01T00:02:00.000Z',
        body: event?.body,
      },
      'device-a',
    );
    expect(HubEventSchema.safeParse(JSON.parse(wire)).success).toBe(true);
    // Without steps the body has no preRollback key (an older hub reads it unchanged).
    expect(pendingEvents(record({ verdict: 'green', rollback }))[0]?.body).not.toHaveProperty('preRollback');
  });

  it('gives bodies the hub schema accepts', () => {
    const r = record({
      verdict: 'red',
      greenboot: { implementation: 'bash', attempt: 1 },
      rollback,
      staged: next,
      required: [result('microshift', 'required', 'timeout', 'api-not-ready')],
      wanted: [result('var-free-space', 'wanted', 'fail', 'below-threshold')],
    });
    const events = pendingEvents(r);
    expect(events).toHaveLength(5);
    for (const [i, e] of events.entries()) {
      const wire = toWireEvent(
        {
          id: `01J00000000000000000000${String(i).padStart(3, '0')}`,
          type: e.type,
          time: '2026-01-01T00:02:00.000Z',
          body: e.body,
        },
        'device-a',
      );
      expect(HubEventSchema.safeParse(JSON.parse(wire)).success, `${e.type}: ${wire}`).toBe(true);
    }
  });

  it("names another vendor's failed greenboot scripts and the one greenboot stopped at, in a body the hub schema accepts", () => {
    const lastLines = Array.from({ length: 10 }, (_, i) => `line ${i}`);
    const r = record({
      verdict: 'red',
      greenbootScripts: {
        readAt: '2026-01-01T00:02:00.000Z',
        firstRequiredFailure: '40_microshift_running_check.sh',
        scripts: [
          { name: '01_repository_dns_check.sh', kind: 'required', outcome: 'success', exitCode: 0 },
          { name: '40_microshift_running_check.sh', kind: 'required', outcome: 'failure', exitCode: 1, lastLines },
        ],
      },
    });
    const verdict = pendingEvents(r).find((e) => e.type === 'boot-verdict');
    expect(verdict?.body).toMatchObject({
      stoppedBy: '40_microshift_running_check.sh',
      scripts: [
        {
          name: '40_microshift_running_check.sh',
          kind: 'required',
          exitCode: 1,
          lastLines: ['line 7', 'line 8', 'line 9'],
        },
      ],
    });
    const wire = toWireEvent(
      { id: '01J00000000000000000000000', type: 'boot-verdict', time: '2026-01-01T00:02:00.000Z', body: verdict!.body },
      'device-a',
    );
    expect(HubEventSchema.safeParse(JSON.parse(wire)).success).toBe(true);
  });

  it('marks an unknown rollback deployment as unknown rather than failing', () => {
    const r = record({ rollback: { ...rollback, from: {}, to: { version: '9.4.0' } } });
    expect(pendingEvents(r)[0]?.body).toMatchObject({ from: { checksum: 'unknown' }, to: { checksum: 'unknown' } });
  });
});

describe('deviceStatus', () => {
  it.each<[string, StatusFacts, string]>([
    ['no verdict decided yet', {}, 'unknown'],
    ['no record yet', withVerdict(undefined), 'unknown'],
    ['a record without checks', withVerdict(record()), 'unknown'],
    ['required checks running', withVerdict(record({ required: [] })), 'checking'],
    [
      'a required check failed, the run and the verdict not yet written',
      withVerdict(record({ required: [result('microshift', 'required', 'fail')] })),
      'checking',
    ],
    ['green', withVerdict(record({ verdict: 'green', required: [result('microshift', 'required', 'pass')] })), 'green'],
    ['red', withVerdict(record({ verdict: 'red' })), 'red'],
  ])('verdict: %s', (_name, facts, verdict) => {
    expect(deviceStatus(facts).verdict).toBe(verdict);
  });

  it('carries the booted and staged deployments, the attempt, MicroShift and the journal', () => {
    const status = deviceStatus(
      withVerdict(record({ verdict: 'green', deployment: good, greenboot: { implementation: 'bash', attempt: 1 } }), {
        staged: next,
        microshift: { unit: 'active', apiReady: true, ready: 8, total: 8 },
        journalPersistent: true,
      }),
    );
    expect(status).toEqual({
      booted: { version: '9.4.0', checksum: 'aaaaaaaaaaaa' },
      staged: { version: '9.4.3', checksum: 'cccccccccccc' },
      verdict: 'green',
      attempt: { n: 1, max: 1 },
      rollback: undefined,
      microshift: { unit: 'active', apiReady: true, workloads: { ready: 8, total: 8 } },
      journalPersistent: true,
    });
  });

  it('shows the last rollback even when it happened in an earlier boot', () => {
    const status = deviceStatus(withVerdict(record({ verdict: 'green' }), { lastRollback: rollback }));
    expect(status.rollback).toEqual({
      at: rollback.detectedAt,
      from: { version: '9.4.2', checksum: 'bbbbbbbbbbbb' },
      to: { version: '9.4.0', checksum: 'aaaaaaaaaaaa' },
      reason: rollback.message,
    });
  });

  it('is a status the hub schema accepts once the sink adds identity and times', () => {
    const input = deviceStatus(
      withVerdict(record({ verdict: 'red', greenboot: { implementation: 'bash', attempt: 3, attempts: 3 } }), {
        lastRollback: rollback,
        microshift: { unit: 'failed', apiReady: false, ready: 0, total: 8 },
      }),
    );
    const wire = toWireStatus(input, {
      device: 'device-a',
      agent: '0.1.0',
      outbox: { queued: 2, dropped: 0 },
      updatedAt: '2026-01-01T00:02:00.000Z',
    });
    expect(DeviceStatusSchema.safeParse(JSON.parse(JSON.stringify(wire))).success).toBe(true);
  });
});

describe('shortRef', () => {
  it.each([
    [undefined, undefined],
    [{}, undefined],
    [{ version: '9.4.0' }, undefined],
    [{ checksum: 'abc' }, { version: undefined, checksum: 'abc' }],
    [good, { version: '9.4.0', checksum: 'aaaaaaaaaaaa' }],
  ])('%j -> %j', (input, expected) => {
    expect(shortRef(input)).toEqual(expected);
  });
});
