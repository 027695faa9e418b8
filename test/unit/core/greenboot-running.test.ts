// The greenboot script running now, from the processes of greenboot-healthcheck.service: named
// with how long it has run (greenboot has no limit per script), escaped and bounded whatever a
// vendor named it, and shown in status (text and JSON) and the hub's status only while the
// check runs.
import { describe, expect, it } from 'vitest';
import {
  NAME_CHARS,
  describeRunningScript,
  findRunningScript,
  formatRunning,
  type UnitProcess,
} from '../../../agent/core/greenboot-running.js';
import { deviceStatus } from '../../../agent/core/hub/report.js';
import { ok } from '../../../agent/core/status/facts.js';
import { formatStatus } from '../../../agent/core/status/output.js';
import { StatusSchema } from '../../../agent/core/status/schema.js';
import { buildStatus } from '../../../agent/core/status/status.js';
import { scenarios, unit } from '../../fixtures/status/scenarios.js';

// bash greenboot 0.15.x: greenboot, then systemd-cat exec'd into `bash <script>`, and the
// script's own child.
const bashTree = (script: string, startedSec = 100): UnitProcess[] => [
  { pid: 301, argv: ['/bin/bash', '/usr/libexec/greenboot/greenboot', 'check'], startedSec: 20 },
  { pid: 410, argv: ['bash', script], startedSec },
  { pid: 411, argv: ['sleep', 'infinity'], startedSec: startedSec + 0.01 },
];

describe('findRunningScript', () => {
  it('names the script bash greenboot runs and how long it has run', () => {
    const r = findRunningScript(bashTree('/etc/greenboot/check/required.d/50_vendor_check.sh'), 352.4);
    expect(r).toEqual({
      name: '50_vendor_check.sh',
      kind: 'required',
      dir: '/etc/greenboot/check/required.d',
      pid: 410,
      runningSec: 252,
      runningMs: 252_400,
    });
    expect(describeRunningScript(r!)).toBe(
      'greenboot: running 50_vendor_check.sh for 4 min 12 s; greenboot has no limit per script: a required script that never ends leaves the boot without a verdict, and a bad update is not rolled back',
    );
  });

  it("reads greenboot-rs's `bash -C <script>` and the other directories", () => {
    const rs: UnitProcess[] = [
      { pid: 5, argv: ['/usr/libexec/greenboot/greenboot', 'health-check'], startedSec: 1 },
      { pid: 9, argv: ['bash', '-C', '/usr/lib/greenboot/check/wanted.d/01_update_platforms_check.sh'], startedSec: 3 },
    ];
    expect(findRunningScript(rs, 50)).toMatchObject({ name: '01_update_platforms_check.sh', kind: 'wanted' });
    expect(findRunningScript(bashTree('/etc/greenboot/red.d/40_cleanup.sh'), 110)).toMatchObject({
      kind: 'red',
      runningSec: 10,
    });
    expect(describeRunningScript(findRunningScript(bashTree('/etc/greenboot/green.d/x.sh'), 130)!)).toContain(
      "the boot's verdict waits until this green script ends",
    );
  });

  it('finds nothing between scripts, or in processes that only mention a script', () => {
    const between: UnitProcess[] = [
      { pid: 301, argv: ['/bin/bash', '/usr/libexec/greenboot/greenboot', 'check'], startedSec: 20 },
      // An editor or a grep is not greenboot running the script.
      { pid: 302, argv: ['grep', '-r', '/etc/greenboot/check/required.d/50_x.sh'], startedSec: 21 },
      { pid: 303, argv: ['bash', '/etc/greenboot/check/required.d'], startedSec: 21 },
      { pid: 304, argv: [], startedSec: 21 },
    ];
    expect(findRunningScript(between, 30)).toBeUndefined();
    expect(findRunningScript([], 30)).toBeUndefined();
  });

  it('takes the outer script when one greenboot script runs another', () => {
    const nested = [
      ...bashTree('/etc/greenboot/check/required.d/50_outer.sh', 100),
      { pid: 500, argv: ['bash', '/etc/greenboot/check/required.d/60_inner.sh'], startedSec: 150 },
    ];
    expect(findRunningScript(nested, 200)).toMatchObject({ name: '50_outer.sh', runningSec: 100 });
  });

  it('escapes and bounds an odd script name and a 10 MB argument', () => {
    const odd = findRunningScript(bashTree('/etc/greenboot/check/required.d/\u001b[31m50 vendor\r\u0007;rm.sh'), 101);
    expect(odd?.name).toBe('\\x1b[31m50 vendor\\x0d\\x07;rm.sh');
    expect([...describeRunningScript(odd!)].some((c) => c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127)).toBe(false);
    const huge = findRunningScript(bashTree(`/etc/greenboot/check/required.d/${'A'.repeat(10 * 1024 * 1024)}.sh`), 101);
    expect(huge?.name.length).toBeLessThanOrEqual(NAME_CHARS);
    expect(huge?.name.endsWith('…')).toBe(true);
  });

  it('leaves the time out when the start is unknown, or after the uptime (a clock it cannot trust)', () => {
    const tree = bashTree('/etc/greenboot/check/required.d/50_x.sh');
    expect(findRunningScript(tree, undefined)?.runningSec).toBeUndefined();
    expect(findRunningScript(tree, 50)?.runningSec).toBeUndefined();
    const r = findRunningScript(tree, undefined)!;
    expect(describeRunningScript(r)).toMatch(/^greenboot: running 50_x\.sh; greenboot has no limit per script/);
  });

  it('formats durations for people', () => {
    expect([formatRunning(0), formatRunning(59.9), formatRunning(252), formatRunning(3 * 3600 + 180)]).toEqual([
      '0 s',
      '59 s',
      '4 min 12 s',
      '3 h 03 min',
    ]);
  });
});

describe('status while greenboot runs a script', () => {
  const running = findRunningScript(bashTree('/etc/greenboot/check/required.d/50_vendor_check.sh'), 352);

  it('names it in the boot section, text and JSON, while the health check unit is starting', () => {
    const facts = { ...scenarios['checking-in-progress']!(), greenbootRunning: ok(running) };
    const result = buildStatus(facts);
    expect(result.boot.running).toMatchObject({
      script: '50_vendor_check.sh',
      kind: 'required',
      pid: 410,
      runningSec: 252,
      since: new Date(facts.now - 252_000).toISOString(),
    });
    expect(StatusSchema.safeParse(result).success).toBe(true);
    const text = formatStatus(result, { format: 'text', width: 80, color: false });
    expect(text).toMatch(/Running: greenboot: running 50_vendor_check\.sh for 4 min 12 s; greenboot\n +has no limit/);
    const json = JSON.parse(formatStatus(result, { format: 'json', width: 80, color: false })) as typeof result;
    expect(json.boot.running?.message).toContain('running 50_vendor_check.sh for 4 min 12 s');
  });

  it('shows nothing once the unit has finished (a look that raced its end)', () => {
    const base = scenarios['checking-in-progress']!();
    const units = base.units.state === 'ok' ? base.units.value : {};
    const facts = {
      ...base,
      units: ok({ ...units, healthcheck: unit('active', 'exited') }),
      greenbootRunning: ok(running),
    };
    expect(buildStatus(facts).boot.running).toBeUndefined();
    expect(buildStatus({ ...base, greenbootRunning: ok(undefined) }).boot.running).toBeUndefined();
  });

  it("goes into the hub's status only while the verdict is being decided", () => {
    const greenbootRunning = {
      script: '50_vendor_check.sh',
      kind: 'required' as const,
      since: '2026-12-04T23:00:00.000Z',
    };
    const checking = deviceStatus({
      verdict: { verdict: 'checking', code: 'healthcheck-running', reason: 'running', fallback: false },
      greenbootRunning,
    });
    expect(checking.greenbootRunning).toEqual(greenbootRunning);
    const green = deviceStatus({
      verdict: { verdict: 'green', code: 'record-green', reason: 'green', fallback: false },
      greenbootRunning,
    });
    expect(green.greenbootRunning).toBeUndefined();
  });
});
