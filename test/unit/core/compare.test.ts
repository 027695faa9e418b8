import { describe, expect, it } from 'vitest';
import { compareCodeUnits } from '../../../agent/core/compare.js';

describe('compareCodeUnits', () => {
  it('orders ISO times by time and names as systemd orders drop-ins', () => {
    const times = ['2026-12-05T10:00:00.000Z', '2026-01-31T23:59:59.999Z', '2026-12-05T09:59:59.000Z'];
    expect([...times].sort(compareCodeUnits)).toEqual([
      '2026-01-31T23:59:59.999Z',
      '2026-12-05T09:59:59.000Z',
      '2026-12-05T10:00:00.000Z',
    ]);
    // Code-unit order: digits before capitals before small letters, unlike a locale's order.
    expect(['b.yaml', 'A.yaml', '20-b.yaml', '10-a.yaml'].sort(compareCodeUnits)).toEqual([
      '10-a.yaml',
      '20-b.yaml',
      'A.yaml',
      'b.yaml',
    ]);
    expect(compareCodeUnits('x', 'x')).toBe(0);
  });
});
