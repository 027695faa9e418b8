import { describe, expect, it } from 'vitest';
import {
  CHECKED,
  checkCompatibility,
  parseVersion,
  platformTable,
  updatePathTable,
} from '../../../agent/core/readiness/compat.js';

describe('parseVersion', () => {
  it.each([
    ['9.4', 9, 4, undefined],
    ['MicroShift Version: 4.15.12', 4, 15, 12],
    ['microshift-4.15.12-202404101526.p0.g1234567.assembly.4.15.12.el9.x86_64', 4, 15, 12],
    ['4.16.0-0.nightly-2024-06-01-111111', 4, 16, 0],
  ])('%s', (text, major, minor, patch) => {
    expect(parseVersion(text)).toMatchObject({ major, minor, patch });
  });

  it('finds nothing in text without a version', () => {
    expect(parseVersion('not a version')).toBeUndefined();
    expect(parseVersion(undefined)).toBeUndefined();
  });
});

describe('checkCompatibility', () => {
  it.each([
    ['4.14 on 9.2', { rhel: '9.2', microshift: '4.14.10' }],
    ['4.15 on 9.3', { rhel: '9.3', microshift: '4.15.1' }],
    ['4.14 -> 4.15 (from the issue)', { rhel: '9.2', microshift: '4.14.10', staged: { microshift: '4.15.2' } }],
    ['4.15.0 -> 4.15.z', { rhel: '9.2', microshift: '4.15.0', staged: { microshift: '4.15.7' } }],
    ['4.16 -> 4.18 on 9.4 (EUS)', { rhel: '9.4', microshift: '4.16.3', staged: { rhel: '9.4', microshift: '4.18.1' } }],
    ['4.16 -> 4.17 release candidate', { rhel: '9.4', microshift: '4.16.1', staged: { microshift: '4.17.0-rc.1' } }],
    [
      '4.18 on 9.4 -> 4.20 on 9.6 (EUS)',
      { rhel: '9.4', microshift: '4.18.9', staged: { rhel: '9.6', microshift: '4.20.0' } },
    ],
  ])('%s: ok', (_name, input) => {
    const fact = checkCompatibility(input);
    expect(fact.reasons).toEqual([]);
    expect(fact.level).toBe('ok');
  });

  it.each([
    [
      '4.16 on 9.2',
      { rhel: '9.2', microshift: '4.16.0' },
      'booted MicroShift 4.16 is not supported on RHEL 9.2 (supported: RHEL 9.4)',
    ],
    ['unknown line', { rhel: '9.2', microshift: '3.11.0' }, 'booted MicroShift 3.11 is not in the compatibility table'],
    [
      '4.14 -> 4.17',
      { rhel: '9.2', microshift: '4.14.1', staged: { rhel: '9.4', microshift: '4.17.0' } },
      'MicroShift 4.14 -> 4.17 is not a supported update path',
    ],
    [
      '4.18 -> 4.19 (in no published matrix)',
      { rhel: '9.4', microshift: '4.18.9', staged: { rhel: '9.6', microshift: '4.19.0' } },
      'MicroShift 4.18 -> 4.19 is not a supported update path',
    ],
    [
      'downgrade in a line',
      { rhel: '9.2', microshift: '4.15.7', staged: { microshift: '4.15.3' } },
      'staged MicroShift 4.15.3 is older than the booted 4.15.7: a downgrade is not supported',
    ],
    [
      'downgrade across lines',
      { rhel: '9.4', microshift: '4.16.1', staged: { rhel: '9.2', microshift: '4.15.3' } },
      'staged MicroShift 4.15 is older than the booted 4.16: a downgrade is not supported',
    ],
    [
      'staged pair unsupported',
      { rhel: '9.2', microshift: '4.15.1', staged: { rhel: '9.2', microshift: '4.16.0' } },
      'staged MicroShift 4.16 is not supported on RHEL 9.2 (supported: RHEL 9.4)',
    ],
    [
      'RHEL unknown',
      { microshift: '4.15.1' },
      'booted RHEL release is unknown, so MicroShift 4.15.1 cannot be checked against it',
    ],
  ])('%s: warning with the reason', (_name, input, reason) => {
    const fact = checkCompatibility(input);
    expect(fact.level).toBe('warning');
    expect(fact.reasons).toContain(reason);
  });

  it('says there is nothing to judge without MicroShift', () => {
    expect(checkCompatibility({ rhel: '9.4' })).toMatchObject({ level: 'unknown' });
  });

  it('names the versions it judged', () => {
    const fact = checkCompatibility({
      rhel: '9.2',
      microshift: '4.14.1',
      staged: { rhel: '9.2', microshift: '4.15.0' },
    });
    expect(fact.booted).toEqual({ rhel: '9.2', microshift: '4.14.1' });
    expect(fact.staged).toEqual({ rhel: '9.2', microshift: '4.15.0' });
  });
});

describe('the tables', () => {
  it('have an update path only between lines the platform table knows, forwards', () => {
    const lines = new Set(platformTable.map((r) => r.microshift));
    for (const p of updatePathTable) {
      expect(lines.has(p.from) && lines.has(p.to), `${p.from} -> ${p.to}`).toBe(true);
      expect(parseVersion(p.to)!.minor).toBeGreaterThan(parseVersion(p.from)!.minor);
    }
  });

  it('keep the rows the issue gives marked as such', () => {
    const fromIssue = platformTable.filter((r) => r.source === 'issue').map((r) => r.microshift);
    expect(fromIssue).toEqual(['4.14', '4.15']);
    expect(updatePathTable.filter((r) => r.source === 'issue')).toEqual([
      { from: '4.14', to: '4.15', source: 'issue', checked: CHECKED.matrix416 },
    ]);
  });

  it('name for every row the document it was compared with', () => {
    const documents = new Set<string>(Object.values(CHECKED));
    for (const row of [...platformTable, ...updatePathTable]) expect(documents.has(row.checked)).toBe(true);
  });
});
