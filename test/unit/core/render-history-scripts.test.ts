// `edge-agent history` for boots failed by greenboot scripts that are not edge-agent's: the
// script that stopped greenboot is the reason, every failed script gets a line, escaped.
import { describe, expect, it } from 'vitest';
import type { BootRecord } from '../../../agent/core/boot-record.js';
import { historyEntries, renderHistory } from '../../../agent/core/render-history.js';

const red: BootRecord = {
  schema: 1,
  bootId: '0123456789abcdef0123456789abcdef',
  firstSeenAt: '2026-01-01T00:00:00.000Z',
  deployment: { checksum: 'b'.repeat(64), version: '9.4.2' },
  verdict: 'red',
  checks: {},
  greenbootScripts: {
    readAt: '2026-01-01T00:02:00.000Z',
    firstRequiredFailure: '30_vendor_disk.sh',
    scripts: [
      {
        name: '30_vendor_disk.sh',
        kind: 'required',
        outcome: 'failure',
        exitCode: 3,
        lastLines: ['checking /var', '/var is 99% full \\x1b[31m'],
      },
      { name: '50_w.sh', kind: 'wanted', outcome: 'failure', exitCode: 1 },
      { name: '10_ok.sh', kind: 'required', outcome: 'success', exitCode: 0 },
    ],
  },
};

describe('history with greenboot scripts', () => {
  it('names the script greenboot stopped at as the reason and lists each failed script', () => {
    const [entry] = historyEntries([red], 10);
    expect(entry).toMatchObject({
      reason: '30_vendor_disk.sh: /var is 99% full \\x1b[31m',
      scripts: [
        { name: '30_vendor_disk.sh', kind: 'required', exitCode: 3, lastLine: '/var is 99% full \\x1b[31m' },
        { name: '50_w.sh', kind: 'wanted', exitCode: 1 },
      ],
    });
    expect(renderHistory(historyEntries([red], 10))).toBe(
      [
        '2026-01-01 00:00:00  RED       9.4.2 (bbbbbbb)  boot 01234567',
        '                     failed: 30_vendor_disk.sh: /var is 99% full \\x1b[31m',
        '                     script failed: 30_vendor_disk.sh (required, exit 3): /var is 99% full \\x1b[31m',
        '                     script failed: 50_w.sh (wanted, exit 1)',
        '',
      ].join('\n'),
    );
  });

  it('a raw control character that reached a record is escaped on the way out', () => {
    const tampered: BootRecord = {
      ...red,
      greenbootScripts: { readAt: '', scripts: [{ name: 'x\u001b[2J.sh', kind: 'required', outcome: 'failure' }] },
    };
    expect(renderHistory(historyEntries([tampered], 10))).toContain('script failed: x\\x1b[2J.sh (required)');
  });
});
