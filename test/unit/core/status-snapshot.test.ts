// The daemon's status snapshot: what goes in (no script output, marked as the daemon's) and when
// a reader takes it as current (this boot, recent, this schema).
import { describe, expect, it } from 'vitest';
import { buildStatus } from '../../../agent/core/status/status.js';
import { planSnapshot } from '../../../agent/core/status/snapshot-plan.js';
import { readSnapshot, SNAPSHOT_MAX_AGE_MS } from '../../../agent/core/status/snapshot.js';
import { NOW, scenarios } from '../../fixtures/status/scenarios.js';

const BOOT = '5f2c7a1e-0b3d-4c8e-9a6f-1d2e3c4b5a69';
const red = () => buildStatus(scenarios['red-greenboot-dns-check']!());

describe('status snapshot', () => {
  it('leaves out what greenboot scripts printed, and says the daemon gathered it', () => {
    const result = red();
    expect(result.scripts?.list.some((s) => s.lastLines?.length)).toBe(true);
    const snapshot = planSnapshot(result, BOOT, NOW);
    expect(snapshot).toMatchObject({ schema: 1, bootId: '5f2c7a1e0b3d4c8e9a6f1d2e3c4b5a69' });
    expect(snapshot.gatheredAt).toBe(new Date(NOW).toISOString());
    expect(JSON.stringify(snapshot)).not.toContain('DNS resolution for');
    expect(snapshot.result.scripts?.list.map((s) => s.name)).toEqual(result.scripts?.list.map((s) => s.name));
    expect(snapshot.result.agent.daemon.answered).toBe(true);
    expect({ ...snapshot.result, scripts: undefined, agent: undefined }).toEqual({
      ...result,
      scripts: undefined,
      agent: undefined,
    });
  });

  it('is read back as written within its age, in the boot that wrote it', () => {
    const text = JSON.stringify(planSnapshot(red(), BOOT, NOW));
    const read = readSnapshot(text, `${BOOT}\n`, NOW + SNAPSHOT_MAX_AGE_MS);
    expect(read?.state).toBe('red');
    expect(read?.exitCode).toBe(1);
  });

  it.each([
    ['too old (the daemon stopped keeping it)', {}, BOOT, NOW + SNAPSHOT_MAX_AGE_MS + 1],
    ['from the future (a clock stepped back)', {}, BOOT, NOW - 60_000],
    ['of another boot', {}, '00000000-0000-0000-0000-000000000000', NOW],
    ['without a boot id to compare', {}, undefined, NOW],
    ['of another snapshot schema', { schema: 2 }, BOOT, NOW],
    ['without a time', { gatheredAt: 'yesterday' }, BOOT, NOW],
    ['without a result', { result: null }, BOOT, NOW],
  ])('is not current when %s', (_why, patch, bootId, now) => {
    const text = JSON.stringify({ ...planSnapshot(red(), BOOT, NOW), ...patch });
    expect(readSnapshot(text, bootId, now)).toBeUndefined();
  });

  it.each([
    ['missing', undefined],
    ['not JSON', '{"schema":1,'],
    ['null', 'null'],
  ])('is not current when the file is %s', (_why, text) => {
    expect(readSnapshot(text, BOOT, NOW)).toBeUndefined();
  });
});
