// Rollback detection from records alone: true with a volatile journal, quiet on plain updates.
import { describe, expect, it } from 'vitest';
import { detectRollback } from '../../../agent/core/rollback.js';
import type { BootRecord } from '../../../agent/core/boot-record.js';

const good = { checksum: 'aaaaaaa1111', version: '9.4.0' };
const bad = { checksum: 'bbbbbbb2222', version: '9.4.2' };

function boot(id: string, deployment: typeof good, verdict?: 'green' | 'red', failure?: string): BootRecord {
  const results = failure
    ? [
        {
          id: 'microshift',
          class: 'required' as const,
          startedAt: '',
          endedAt: '',
          durationMs: 1,
          outcome: 'fail',
          reason: failure,
          message: `MicroShift ${failure}`,
        },
      ]
    : [];
  return { schema: 1, bootId: id, deployment, verdict, checks: { required: { startedAt: '', results } } };
}

describe('detectRollback', () => {
  it('explains a rollback after three failed boots, with the first failing check', () => {
    const earlier = [
      boot('b4', bad, 'red', 'crash-loop'),
      boot('b3', bad, 'red', 'crash-loop'),
      boot('b2', bad, 'red', 'unit-failed'),
      boot('b1', good, 'green'),
    ];
    const event = detectRollback({ booted: good, earlier, detectedAt: 'now' });
    expect(event).toMatchObject({ failedBoots: 3, firstFailure: { id: 'microshift', reason: 'unit-failed' } });
    expect(event?.message).toBe(
      'rolled back from 9.4.2 (bbbbbbb) to 9.4.0 (aaaaaaa) after 3 failed boots; first failing check: microshift: MicroShift unit-failed',
    );
  });

  it('calls it a fallback only when the last red boot was the last attempt', () => {
    const last = (imminent: boolean | undefined): BootRecord => ({
      ...boot('b2', bad, 'red', 'crash-loop'),
      ...(imminent !== undefined && { rollbackImminent: imminent }),
    });
    const fallbackAfter = (previous: BootRecord) =>
      detectRollback({ booted: good, earlier: [previous, boot('b1', good, 'green')], detectedAt: 'now' })?.fallback;
    // GRUB fell back after the last attempt.
    expect(fallbackAfter(last(true))).toBe(true);
    // An operator's `rpm-ostree rollback` after a red boot that was not the last: not GRUB's doing.
    expect(fallbackAfter(last(false))).toBe(false);
    // A record from before edge-agent kept the flag: not known, so not claimed.
    expect(fallbackAfter(last(undefined))).toBe(false);
  });

  it("carries what boot red did before the rollback, from the failed deployment's last boot", () => {
    const step = (id: string, outcome: string) => ({
      id,
      startedAt: 't0',
      endedAt: 't1',
      outcome,
      message: `${id} ${outcome}`,
    });
    const last = {
      ...boot('b3', bad, 'red', 'crash-loop'),
      actions: [step('stop-microshift', 'done'), step('hook:app', 'failed')],
    };
    const earlier = [last, boot('b2', bad, 'red', 'crash-loop'), boot('b1', good, 'green')];
    expect(detectRollback({ booted: good, earlier, detectedAt: 'now' })?.preRollback).toEqual(last.actions);
    // None recorded (agent without cleanup, or an operator's rollback): the field stays absent.
    const none = detectRollback({ booted: good, earlier: earlier.slice(1), detectedAt: 'now' });
    expect(none).toBeDefined();
    expect(none).not.toHaveProperty('preRollback');
  });

  it.each([
    ['the first boot ever', []],
    ['the same deployment again', [boot('b1', good, 'green')]],
    ['an update after a green boot', [boot('b1', bad, 'green')]],
    ['an update after a boot without a verdict', [boot('b1', bad)]],
  ])('is quiet for %s', (_name, earlier) => {
    expect(detectRollback({ booted: good, earlier, detectedAt: 'now' })).toBeUndefined();
  });

  it('knows the way back from the rollback deployment rpm-ostree showed during the failed boots', () => {
    const failedBoot = { ...boot('b1', bad, 'red', 'crash-loop'), rollbackDeployment: good };
    expect(detectRollback({ booted: good, earlier: [failedBoot], detectedAt: 'now' })?.failedBoots).toBe(1);
  });

  it("names MicroShift's own check when it failed the boots before edge-agent's check said anything", () => {
    const name = '40_microshift_running_check.sh';
    const red = (id: string): BootRecord => ({
      ...boot(id, bad, 'red'),
      greenbootScripts: {
        readAt: '',
        firstRequiredFailure: name,
        scripts: [
          {
            name,
            kind: 'required',
            outcome: 'failure',
            exitCode: 1,
            lastLines: ['Checking microshift.service', 'Timed out waiting for the MicroShift API'],
          },
        ],
      },
    });
    const event = detectRollback({
      booted: good,
      earlier: [red('b4'), red('b3'), red('b2'), boot('b1', good, 'green')],
      detectedAt: 'now',
    });
    expect(event?.firstFailure).toEqual({
      id: name,
      reason: 'greenboot-script-failed',
      message: 'Timed out waiting for the MicroShift API',
    });
    expect(event?.message).toBe(
      `rolled back from 9.4.2 (bbbbbbb) to 9.4.0 (aaaaaaa) after 3 failed boots; first failing greenboot script: ${name}: Timed out waiting for the MicroShift API`,
    );
  });

  it('still reports a rollback when the failed boots left no check results', () => {
    const event = detectRollback({
      booted: good,
      earlier: [boot('b2', bad), boot('b1', good, 'green')],
      detectedAt: 'now',
    });
    expect(event).toBeDefined();
    expect(event?.message).toContain('after 1 failed boot; no check result was recorded');
  });
});
