// Records a newer edge-agent wrote, read by this one: values it cannot read (an unknown verdict,
// a field whose type changed, a check of a class it does not know) are set aside, shown as
// "written by a newer edge-agent", and put back on the next write unless the writer set them.
import { describe, expect, it } from 'vitest';
import { ok } from '../../../agent/core/status/facts.js';
import { readBootRecord } from '../../../agent/core/boot-record.js';
import { newerNote, restoreNewer } from '../../../agent/core/record-skew.js';
import { readStatusRecord } from '../../../agent/core/status/record.js';
import { buildStatus } from '../../../agent/core/status/status.js';
import { greenAfterUpdate } from '../../fixtures/status/scenarios.js';

const ID = 'a1'.repeat(16);
const result = (id: string, extra: object = {}) => ({
  id,
  class: 'required' as const,
  startedAt: 's',
  endedAt: 'e',
  durationMs: 5,
  outcome: 'pass',
  reason: 'ok',
  message: 'fine',
  ...extra,
});
const future = () => ({
  schema: 3,
  bootId: ID,
  firstSeenAt: '2026-11-30T10:00:00.000Z',
  verdict: 'amber',
  greenboot: { implementation: 'rs', attempt: '2 of 3' },
  checks: {
    required: {
      startedAt: 's',
      verdict: 'pass',
      results: [result('a'), result('b', { class: 'optional' }), result('c', { durationMs: { ms: 5 } })],
    },
  },
  actions: [{ id: 'stop-microshift', startedAt: 's', endedAt: 'e', outcome: 'done', message: 'm', steps: 2 }],
  futureField: { x: 1 },
});

describe('reading a record written by a newer edge-agent', () => {
  it('reads what it knows and sets aside each value it cannot read, nothing more', () => {
    const read = readBootRecord(future());
    expect(read).toBeDefined();
    expect(read?.record.verdict).toBeUndefined();
    expect(read?.record.greenboot).toEqual({ implementation: 'rs' });
    expect(read?.record.checks.required?.results.map((r) => r.id)).toEqual(['a']);
    expect(read?.record.actions?.[0]).toMatchObject({ id: 'stop-microshift', steps: 2 });
    expect(read?.record.futureField).toEqual({ x: 1 });
    expect(newerNote(read?.newer ?? [])).toBe(
      'written by a newer edge-agent (greenboot.attempt: "2 of 3"; checks.required.results[id=b]: {"id":"b","class":"optional","startedAt":"s","endedAt":"e...; checks.required.results[id=c]: {"id":"c","class":"required","startedAt":"s","endedAt":"e...; verdict: "amber")',
    );
  });

  it('writes back every value it set aside, except those the writer changed', () => {
    const read = readBootRecord(future())!;
    read.record.checks.required!.results.push(result('d'));
    read.record.knownGood = true;
    const written = structuredClone(read.record) as Record<string, unknown>;
    restoreNewer(written, read.newer);
    expect(written).toEqual({
      ...future(),
      knownGood: true,
      checks: {
        required: { ...future().checks.required, results: [...future().checks.required.results, result('d')] },
      },
    });
    // `boot green` sets the verdict: this version's value wins over the one it could not read.
    read.record.verdict = 'green';
    const green = structuredClone(read.record) as Record<string, unknown>;
    restoreNewer(green, read.newer);
    expect(green.verdict).toBe('green');
    expect(green.greenboot).toEqual({ implementation: 'rs', attempt: '2 of 3' });
  });

  it('moves nothing aside but a record without a boot id', () => {
    expect(readBootRecord({ verdict: 'green' })).toBeUndefined();
    expect(readBootRecord({ bootId: 7 })).toBeUndefined();
    expect(readBootRecord([1, 2])).toBeUndefined();
    expect(
      readBootRecord({ bootId: ID, checks: 'moved elsewhere', schema: '3.0' })?.newer.map((n) => n.path.join('.')),
    ).toEqual(['schema', 'checks']);
  });

  it('shows status what it could not read, as a warning naming the boot', () => {
    const record = readStatusRecord(future());
    expect(record?.verdict).toBeUndefined();
    expect(record?.newerNote).toMatch(
      // The same reader as the writers': a check result it cannot read is set aside whole, named by its id.
      /^written by a newer edge-agent \(greenboot\.attempt: "2 of 3"; checks\.required\.results\[id=b\]: \{"id":"b","class":"optional",.*; checks\.required\.results\[id=c\]: \{"id":"c",.*; verdict: "amber"\)$/,
    );
    expect(readStatusRecord({ bootId: ID, verdict: 'green', extra: [1] })?.newerNote).toBeUndefined();
    const f = greenAfterUpdate();
    const status = buildStatus({ ...f, history: ok([...(f.history.state === 'ok' ? f.history.value : []), record!]) });
    expect(status.problems.find((p) => p.code === 'record-newer')?.message).toBe(
      `The record of boot ${ID.slice(0, 8)} was ${record?.newerNote}`,
    );
  });
});
