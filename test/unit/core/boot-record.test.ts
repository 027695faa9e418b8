// The boot record as read back: lenient about what it does not depend on. The hub's bookkeeping
// (hubReported, hubIds) must never make a record unreadable: garbage there reads as "nothing kept",
// and the daemon then gives the events new ids (the hub still gets each event at least once).
import { describe, expect, it } from 'vitest';
import { newBootRecord, parseBootRecord } from '../../../agent/core/boot-record.js';

const ID = '3f2a9c1e4b5d4e6f8a9b0c1d2e3f4a5b';

describe('boot record', () => {
  it('keeps the ids of queued events and drops garbage in their place', () => {
    const record = {
      ...newBootRecord(ID, '2026-11-22T21:00:00.000Z'),
      hubReported: ['verdict:green'],
      hubIds: { rollback: '01JD0000000000000000000000' },
    };
    expect(parseBootRecord(JSON.parse(JSON.stringify(record)))).toMatchObject({
      bootId: ID,
      hubReported: ['verdict:green'],
      hubIds: { rollback: '01JD0000000000000000000000' },
    });
    for (const garbage of [['x'], 'x', { rollback: 42 }, null]) {
      const parsed = parseBootRecord({ ...record, hubIds: garbage });
      expect(parsed?.bootId, JSON.stringify(garbage)).toBe(ID);
      expect(parsed?.hubIds, JSON.stringify(garbage)).toEqual({});
    }
    expect(parseBootRecord({ ...record, hubReported: 'verdict:green' })?.hubReported).toEqual([]);
  });
});
