import { describe, expect, it } from 'vitest';
import {
  EDGE_AGENT_JOURNALD_DROPIN,
  countListedBoots,
  describeConflict,
  effectiveJournaldSettings,
  orderJournaldFiles,
  parseJournaldConf,
  parseJournaldSize,
  planJournalPersist,
  renderJournaldDropIn,
  storageTarget,
  type ConfFile,
} from '../../../agent/core/journald-conf.js';

const journal = (body: string) => `[Journal]\n${body}\n`;
const file = (path: string, text: string): ConfFile => ({ path, text });
const sizes = { systemMaxUse: '1G', runtimeMaxUse: '1G' };

/** Effective Storage= and the file that set it, for a set of existing files. */
function storageOf(files: ConfFile[]) {
  const s = effectiveJournaldSettings(orderJournaldFiles(files));
  return [s.storage, s.storageSource?.path];
}

describe('orderJournaldFiles: the order journald reads', () => {
  it('reads the main file first, then drop-ins sorted by name across directories', () => {
    const ordered = orderJournaldFiles([
      file('/usr/lib/systemd/journald.conf.d/60-vendor.conf', ''),
      file('/etc/systemd/journald.conf.d/70-site.conf', ''),
      file('/run/systemd/journald.conf.d/10-runtime.conf', ''),
      file('/etc/systemd/journald.conf', ''),
      file('/usr/local/lib/systemd/journald.conf.d/55-local.conf', ''),
    ]);
    expect(ordered.map((f) => f.path)).toEqual([
      '/etc/systemd/journald.conf',
      '/run/systemd/journald.conf.d/10-runtime.conf',
      '/usr/local/lib/systemd/journald.conf.d/55-local.conf',
      '/usr/lib/systemd/journald.conf.d/60-vendor.conf',
      '/etc/systemd/journald.conf.d/70-site.conf',
    ]);
  });

  it.each([
    ['/etc over /run', ['/etc', '/run'], '/etc'],
    ['/run over /usr/lib', ['/usr/lib', '/run'], '/run'],
    ['/etc over /usr/lib', ['/usr/lib', '/etc'], '/etc'],
    ['/usr/local/lib over /usr/lib', ['/usr/lib', '/usr/local/lib'], '/usr/local/lib'],
  ])('same file name: %s', (_name, prefixes, winner) => {
    const ordered = orderJournaldFiles(prefixes.map((p) => file(`${p}/systemd/journald.conf.d/50-x.conf`, '')));
    expect(ordered.map((f) => f.path)).toEqual([`${winner}/systemd/journald.conf.d/50-x.conf`]);
  });

  it('takes the first main file that exists and ignores files that are not *.conf', () => {
    const ordered = orderJournaldFiles([
      file('/usr/lib/systemd/journald.conf', ''),
      file('/run/systemd/journald.conf', ''),
      file('/etc/systemd/journald.conf.d/README', ''),
      file('/etc/systemd/journald.conf.d/10-x.conf.rpmsave', ''),
    ]);
    expect(ordered.map((f) => f.path)).toEqual(['/run/systemd/journald.conf']);
  });
});

describe('effective Storage=', () => {
  it.each<[string, ConfFile[], string, string | undefined]>([
    ['nothing set: the default', [], 'auto', undefined],
    [
      'commented out in the stock file',
      [file('/etc/systemd/journald.conf', journal('#Storage=auto'))],
      'auto',
      undefined,
    ],
    [
      'main file',
      [file('/etc/systemd/journald.conf', journal('Storage=volatile'))],
      'volatile',
      '/etc/systemd/journald.conf',
    ],
    [
      'a drop-in beats the main file',
      [
        file('/etc/systemd/journald.conf', journal('Storage=volatile')),
        file('/usr/lib/systemd/journald.conf.d/10-v.conf', journal('Storage=persistent')),
      ],
      'persistent',
      '/usr/lib/systemd/journald.conf.d/10-v.conf',
    ],
    [
      'the drop-in sorted last wins, whatever its directory',
      [
        file('/etc/systemd/journald.conf.d/10-a.conf', journal('Storage=persistent')),
        file('/usr/lib/systemd/journald.conf.d/90-b.conf', journal('Storage=volatile')),
      ],
      'volatile',
      '/usr/lib/systemd/journald.conf.d/90-b.conf',
    ],
    [
      'an /etc file masks the vendor file of the same name (link to /dev/null reads as empty)',
      [
        file('/usr/lib/systemd/journald.conf.d/90-b.conf', journal('Storage=volatile')),
        file('/etc/systemd/journald.conf.d/90-b.conf', ''),
      ],
      'auto',
      undefined,
    ],
    [
      'last assignment in one file wins',
      [file('/etc/systemd/journald.conf', journal('Storage=volatile\nStorage=persistent'))],
      'persistent',
      '/etc/systemd/journald.conf',
    ],
    [
      'an invalid value is ignored',
      [
        file('/etc/systemd/journald.conf', journal('Storage=volatile')),
        file('/etc/systemd/journald.conf.d/x.conf', journal('Storage=Persistent')),
      ],
      'volatile',
      '/etc/systemd/journald.conf',
    ],
    [
      'other sections do not count',
      [file('/etc/systemd/journald.conf', '[Other]\nStorage=volatile\n')],
      'auto',
      undefined,
    ],
    [
      'assignments before any section do not count',
      [file('/etc/systemd/journald.conf', 'Storage=volatile\n')],
      'auto',
      undefined,
    ],
    [
      'whitespace and CRLF',
      [file('/etc/systemd/journald.conf', '[Journal]\r\n  Storage =  persistent  \r\n')],
      'persistent',
      '/etc/systemd/journald.conf',
    ],
    ['; comments', [file('/etc/systemd/journald.conf', journal(';Storage=volatile'))], 'auto', undefined],
  ])('%s', (_name, files, storage, source) => {
    expect(storageOf(files)).toEqual([storage, source]);
  });

  it('keeps the line of the assignment and warns about what journald ignores', () => {
    const s = effectiveJournaldSettings([
      file('/etc/systemd/journald.conf', '# hi\nStorage=none\n[Journal]\nSystemMaxUse=2G\nStorage=bogus\n'),
    ]);
    expect(s.values.SystemMaxUse).toEqual({
      key: 'SystemMaxUse',
      value: '2G',
      path: '/etc/systemd/journald.conf',
      line: 4,
    });
    expect(s.warnings).toEqual([
      '/etc/systemd/journald.conf:2: assignment outside of a section, ignored',
      '/etc/systemd/journald.conf:5: Storage=bogus is not one of auto, volatile, persistent, none; journald ignores it',
    ]);
  });

  it('joins continued lines', () => {
    expect(parseJournaldConf(file('/x', '[Journal]\nStorage=per\\\nsistent\n')).assignments[0]?.value).toBe(
      'per sistent',
    );
  });

  it.each([
    ['auto', true, 'disk'],
    ['auto', false, 'memory'],
    ['persistent', false, 'disk'],
    ['volatile', true, 'memory'],
    ['none', true, 'none'],
  ] as const)('Storage=%s with /var/log/journal present=%s keeps the journal in %s', (storage, exists, target) => {
    expect(storageTarget(storage, exists)).toBe(target);
  });
});

describe('journald sizes', () => {
  it.each([
    ['1G', 1024 ** 3],
    ['512M', 512 * 1024 ** 2],
    ['64K', 65536],
    ['4096', 4096],
    ['2T', 2 * 1024 ** 4],
    ['0', undefined],
    ['0G', undefined],
    ['1.5G', undefined],
    ['1g', undefined],
    ['1GB', undefined],
    ['-1G', undefined],
    ['', undefined],
    [' 1G', undefined],
    ['1 G', undefined],
  ])('%j -> %s bytes', (text, bytes) => {
    expect(parseJournaldSize(text)).toBe(bytes);
  });
});

describe('planJournalPersist', () => {
  const ours = (s = sizes) => file(EDGE_AGENT_JOURNALD_DROPIN, renderJournaldDropIn(s));

  it("writes MicroShift's documented drop-in", () => {
    const plan = planJournalPersist([], sizes);
    expect(plan.kind).toBe('write');
    const text = plan.kind === 'write' ? plan.text : '';
    expect(text).toMatch(/^# Written by edge-agent/);
    expect(text).toContain('[Journal]\nStorage=persistent\nSystemMaxUse=1G\nRuntimeMaxUse=1G\n');
    expect(storageOf([file(EDGE_AGENT_JOURNALD_DROPIN, text)])).toEqual(['persistent', EDGE_AGENT_JOURNALD_DROPIN]);
  });

  it('does nothing when our drop-in is already there, rewrites it when the sizes changed', () => {
    expect(planJournalPersist([ours()], sizes).kind).toBe('unchanged');
    expect(planJournalPersist([ours({ systemMaxUse: '2G', runtimeMaxUse: '1G' })], sizes).kind).toBe('write');
  });

  it.each([
    ['/etc/systemd/journald.conf', 'volatile'],
    ['/etc/systemd/journald.conf.d/10-site.conf', 'volatile'],
    ['/etc/systemd/journald.conf.d/90-site.conf', 'auto'],
    ['/run/systemd/journald.conf.d/10-tool.conf', 'none'],
  ])("an administrator's %s with Storage=%s is a conflict, wherever it sorts", (path, value) => {
    const plan = planJournalPersist([file(path, journal(`Storage=${value}`)), ours()], sizes);
    expect(plan).toEqual({ kind: 'conflict', conflicts: [{ path, line: 2, value, why: 'admin-setting' }] });
    if (plan.kind === 'conflict')
      expect(describeConflict(plan.conflicts[0]!)).toBe(
        `${path}:2 sets Storage=${value} and is the administrator's choice, which edge-agent does not override`,
      );
  });

  it("agrees with someone else's Storage=persistent", () => {
    expect(
      planJournalPersist([file('/etc/systemd/journald.conf.d/10-site.conf', journal('Storage=persistent'))], sizes)
        .kind,
    ).toBe('write');
  });

  it('overrides a vendor default it sorts after, but not one that sorts after it', () => {
    const before = planJournalPersist(
      [file('/usr/lib/systemd/journald.conf.d/10-vendor.conf', journal('Storage=volatile'))],
      sizes,
    );
    expect(before).toMatchObject({
      kind: 'write',
      overrides: [{ path: '/usr/lib/systemd/journald.conf.d/10-vendor.conf', value: 'volatile' }],
    });
    const after = planJournalPersist(
      [file('/usr/lib/systemd/journald.conf.d/90-vendor.conf', journal('Storage=volatile'))],
      sizes,
    );
    expect(after).toEqual({
      kind: 'conflict',
      conflicts: [
        { path: '/usr/lib/systemd/journald.conf.d/90-vendor.conf', line: 2, value: 'volatile', why: 'overrides-ours' },
      ],
    });
  });

  it('never overwrites a file at our path that is not ours (or our name masked with /dev/null)', () => {
    expect(planJournalPersist([file(EDGE_AGENT_JOURNALD_DROPIN, journal('Storage=volatile'))], sizes)).toMatchObject({
      kind: 'conflict',
      conflicts: [{ why: 'not-ours', value: 'volatile' }],
    });
    expect(planJournalPersist([file(EDGE_AGENT_JOURNALD_DROPIN, '')], sizes)).toMatchObject({
      kind: 'conflict',
      conflicts: [{ why: 'not-ours' }],
    });
  });
});

describe('countListedBoots', () => {
  it.each([
    ['[{"index":-1,"boot_id":"a"},{"index":0,"boot_id":"b"}]', 2],
    ['[]', 0],
    [
      'IDX BOOT ID                          FIRST ENTRY                 LAST ENTRY\n -1 0123456789abcdef0123456789abcdef Sun 2026-11-22 19:04:37 UTC Sun 2026-11-22 19:04:37 UTC\n  0 a50ec01de1574e6bac3e491de0766268 Sun 2026-11-22 19:04:37 UTC Sun 2026-11-22 19:04:37 UTC\n',
      2,
    ],
    [' 0 a50ec01de1574e6bac3e491de0766268 Sun 2026-11-22 19:04:37 UTC—Sun 2026-11-22 19:04:37 UTC', 1],
    ['', 0],
  ])('%j -> %d', (stdout, count) => {
    expect(countListedBoots(stdout)).toBe(count);
  });
});
