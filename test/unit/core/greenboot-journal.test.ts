// Reading greenboot's journal back into named script results: bash greenboot 0.15.x lines as
// `journalctl -o json` prints them, next to garbage, odd script names and huge output lines.
import { describe, expect, it } from 'vitest';
import { LAST_LINES, LINE_CHARS, parseGreenbootJournal } from '../../../agent/core/greenboot-journal.js';

const T0 = 1_764_870_000_000_000; // microseconds, as __REALTIME_TIMESTAMP
let seq = 0;
/** One journal entry as `journalctl -o json` writes it, `ms` after T0. */
function entry(identifier: string, message: unknown, ms: number): string {
  return JSON.stringify({
    __CURSOR: `s=1;i=${++seq}`,
    __REALTIME_TIMESTAMP: String(T0 + ms * 1000),
    _SYSTEMD_UNIT: 'greenboot-healthcheck.service',
    SYSLOG_IDENTIFIER: identifier,
    PRIORITY: '6',
    MESSAGE: message,
  });
}
const gb = (message: string, ms: number) => entry('greenboot', message, ms);

describe('parseGreenbootJournal', () => {
  it('a red boot: greenboot DNS check passes, a vendor script fails with its last lines, edge-agent never runs', () => {
    const lines = [
      gb('Running Required Health Check Scripts...', 0),
      entry('01_repository_dns_check.sh', 'DNS resolution of edge.example.com OK', 300),
      gb("<6>Script '01_repository_dns_check.sh' SUCCESS", 400),
      entry('30_vendor_disk.sh', 'checking /var', 500),
      entry('30_vendor_disk.sh', '/var is 99% full', 2500),
      gb("<0>Script '30_vendor_disk.sh' FAILURE (exit code '3'). Exiting...", 2600),
      gb('Boot Status is RED - Health Check FAILURE!', 2700),
    ];
    expect(parseGreenbootJournal(lines)).toEqual({
      scripts: [
        { name: '01_repository_dns_check.sh', kind: 'required', outcome: 'success', exitCode: 0, durationMs: 400 },
        {
          name: '30_vendor_disk.sh',
          kind: 'required',
          outcome: 'failure',
          exitCode: 3,
          durationMs: 2200,
          lastLines: ['checking /var', '/var is 99% full'],
        },
      ],
      firstRequiredFailure: '30_vendor_disk.sh',
      verdict: 'red',
      ignoredLines: 0,
    });
  });

  it.each([
    ['wanted', 'Running Wanted Health Check Scripts...', 'wanted'],
    ['green', 'Running Green Scripts...', 'green'],
    ['red', 'Running Red Scripts...', 'red'],
    [
      'a heading naming its directory',
      "Running Required Health Check Scripts in '/etc/greenboot/check/required.d'...",
      'required',
    ],
  ] as const)('kind from the heading: %s', (_, heading, kind) => {
    const run = parseGreenbootJournal([
      gb(heading, 0),
      gb("<2>Script '01_update_platforms_check.sh' FAILURE (exit code '1'). Continuing...", 50),
    ]);
    expect(run.scripts).toMatchObject([
      { name: '01_update_platforms_check.sh', kind, outcome: 'failure', exitCode: 1, durationMs: 50 },
    ]);
    expect(run.firstRequiredFailure).toBe(kind === 'required' ? '01_update_platforms_check.sh' : undefined);
  });

  it('a wanted failure leaves the boot green and is still named', () => {
    const run = parseGreenbootJournal([
      gb('Running Wanted Health Check Scripts...', 0),
      entry('50_w.sh', 'no updates server', 10),
      gb("Script '50_w.sh' FAILURE (exit code '1')", 20),
      gb('Boot Status is GREEN - Health Check SUCCESS', 30),
    ]);
    expect(run.firstRequiredFailure).toBeUndefined();
    expect(run).toMatchObject({
      verdict: 'green',
      scripts: [{ name: '50_w.sh', kind: 'wanted', lastLines: ['no updates server'] }],
    });
  });

  it('garbage lines are counted and skipped, never fatal', () => {
    const lines = [
      'not json',
      '{"MESSAGE": 5}',
      '[]',
      'null',
      '{',
      '',
      gb('Running Required Health Check Scripts...', 0),
      gb("Script 'a.sh' SUCCESS", 5),
    ];
    const run = parseGreenbootJournal(lines);
    expect(run.ignoredLines).toBe(5);
    expect(run.scripts).toMatchObject([{ name: 'a.sh', outcome: 'success' }]);
  });

  it('a script name with control characters, quotes and escapes is escaped, not interpreted', () => {
    const odd = "x\u001b]0;pwned\u0007 it's\u202e.sh";
    const run = parseGreenbootJournal([gb(`Script '${odd}' FAILURE (exit code '1')`, 0)]);
    expect(run.scripts[0]?.name).toBe("x\\x1b]0;pwned\\x07 it's\\u202e.sh");
    expect(run.firstRequiredFailure).toBe(run.scripts[0]?.name);
  });

  it('output: at most the last lines, each bounded and escaped, multi-line messages split', () => {
    const many = Array.from({ length: 25 }, (_, i) => entry('v.sh', `line ${i}`, i));
    const run = parseGreenbootJournal([
      ...many,
      entry('v.sh', 'a\nb\u001b[31m', 30),
      gb("Script 'v.sh' FAILURE (exit code '1')", 40),
    ]);
    const last = run.scripts[0]?.lastLines ?? [];
    expect(last).toHaveLength(LAST_LINES);
    expect(last.slice(-3)).toEqual(['line 24', 'a', 'b\\x1b[31m']);
  });

  it('a 10 MB output line: not parsed (bounded), counted, the run still read', () => {
    const huge = entry('v.sh', 'x'.repeat(10 * 1024 * 1024), 1);
    const run = parseGreenbootJournal([
      gb('Running Required Health Check Scripts...', 0),
      huge,
      entry('v.sh', 'y'.repeat(5000), 2),
      gb("Script 'v.sh' FAILURE (exit code '1')", 3),
    ]);
    expect(run.ignoredLines).toBe(1);
    expect(run.scripts[0]?.lastLines).toEqual([`${'y'.repeat(LINE_CHARS - 1)}…`]);
  });

  it('a message journalctl printed as bytes (not UTF-8) is decoded; an unknown shape is ignored', () => {
    const run = parseGreenbootJournal([
      entry('v.sh', [0x6f, 0x6b, 0xff], 1),
      entry('v.sh', { odd: true }, 2),
      gb("Script 'v.sh' FAILURE (exit code '4')", 3),
    ]);
    expect(run.scripts[0]).toMatchObject({ exitCode: 4, lastLines: ['ok\ufffd'] });
    expect(run.ignoredLines).toBe(1);
  });

  it('a disabled script is named as such, without a duration', () => {
    const run = parseGreenbootJournal([gb("<5>'01_repository_dns_check.sh' was skipped, as specified in config", 1)]);
    expect(run.scripts).toEqual([{ name: '01_repository_dns_check.sh', kind: 'required', outcome: 'disabled' }]);
  });

  it('only scripts greenboot reported count: output of a script with no result line is not a result', () => {
    expect(parseGreenbootJournal([entry('hung.sh', 'waiting', 1)]).scripts).toEqual([]);
  });
});

describe('parseGreenbootJournal with greenboot-rs lines', () => {
  it('a required script fails: named, its captured stdout and stderr as last lines, duration until greenboot-rs went on', () => {
    const lines = [
      gb(
        '[2026-01-01T00:00:00Z INFO  greenboot] running required check /usr/lib/greenboot/check/required.d/01_repository_dns_check.sh',
        0,
      ),
      gb(
        '[2026-01-01T00:00:01Z INFO  greenboot] required script /usr/lib/greenboot/check/required.d/01_repository_dns_check.sh success!',
        1000,
      ),
      gb('Skipping disabled script: 02_watchdog.sh', 1001),
      gb('running required check /etc/greenboot/check/required.d/30_vendor.sh', 1100),
      gb('required script error:', 4100),
      gb('required script /etc/greenboot/check/required.d/30_vendor.sh failed!', 4101),
      gb('checking disk', 4102),
      gb('', 4102),
      gb('disk \u001b[31mfull', 4103),
      gb('required health-check failed, skipping remaining scripts', 4104),
    ];
    expect(parseGreenbootJournal(lines)).toEqual({
      scripts: [
        {
          name: '01_repository_dns_check.sh',
          kind: 'required',
          dir: '/usr/lib/greenboot/check/required.d',
          outcome: 'success',
          durationMs: 1000,
        },
        { name: '02_watchdog.sh', kind: 'required', outcome: 'disabled' },
        {
          name: '30_vendor.sh',
          kind: 'required',
          dir: '/etc/greenboot/check/required.d',
          outcome: 'failure',
          durationMs: 3000,
          lastLines: ['checking disk', 'disk \\x1b[31mfull'],
        },
      ],
      firstRequiredFailure: '30_vendor.sh',
      ignoredLines: 0,
    });
  });

  it('a wanted failure is reported after its directory: kind wanted, no required failure', () => {
    const run = parseGreenbootJournal([
      gb('running wanted check /etc/greenboot/check/wanted.d/50_w.sh', 0),
      gb('wanted script runner error:', 10),
      gb('wanted script /etc/greenboot/check/wanted.d/50_w.sh failed!', 11),
      gb('no updates server', 12),
    ]);
    expect(run.scripts).toEqual([
      {
        name: '50_w.sh',
        kind: 'wanted',
        dir: '/etc/greenboot/check/wanted.d',
        outcome: 'failure',
        durationMs: 10,
        lastLines: ['no updates server'],
      },
    ]);
    expect(run.firstRequiredFailure).toBeUndefined();
  });
});
