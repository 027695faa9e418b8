// Every printer of text that comes from elsewhere: the fleet table (a device's status), the
// status views (records, daemon.json, the config) and history (records) show control characters
// as visible escapes and never a URL password.
import { describe, expect, it } from 'vitest';
import { applyFleetMessage, fleetRows, renderFleetTable, type FleetState } from '../../../agent/core/hub/fleet.js';
import { toWireStatus } from '../../../agent/core/hub/payloads.js';
import type { CheckResult } from '../../../agent/core/check-result.js';
import { renderCheckRun } from '../../../agent/core/render-check.js';
import { renderHistory, type HistoryEntry } from '../../../agent/core/render-history.js';
import { motdText } from '../../../agent/core/status/summary.js';
import type { StatusFacts } from '../../../agent/core/status/facts.js';
import { formatStatus } from '../../../agent/core/status/output.js';
import { buildStatus } from '../../../agent/core/status/status.js';
import { scenarios } from '../../fixtures/status/scenarios.js';

const TITLE = '\x1b]0;owned\x07';
const CLEAR = '\x1b[2J\x1b[H';
const C1 = '\u009b2J';
const BIDI = '\u202e';
const HOSTILE = `${TITLE}${CLEAR}${C1}${BIDI}\x7f`;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const ACTIVE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const SHOWN = '\\x1b]0;owned\\x07\\x1b[2J\\x1b[H\\x9b2J\\u202e\\x7f';

describe('fleet table', () => {
  it('shows a device status with escape sequences as visible text', () => {
    const state: FleetState = new Map();
    const payload = toWireStatus(
      {
        verdict: 'red',
        booted: { version: `9.4${HOSTILE}`, checksum: 'aaaaaaaaaaaa' },
        rollback: {
          at: '2024-06-12T11:00:00.000Z',
          from: { version: `new${CLEAR}`, checksum: 'b' },
          to: { version: 'old', checksum: 'c' },
          reason: `microshift${HOSTILE}`,
        },
      },
      {
        device: 'device-a',
        agent: '0.1.0',
        outbox: { queued: 0, dropped: 0 },
        connectedAt: '2024-06-12T10:00:00.000Z',
        updatedAt: '2024-06-12T11:59:00.000Z',
      },
    );
    applyFleetMessage(state, 'edge/v1', {
      topic: `edge/v1/dev${TITLE}/status`,
      payload: JSON.stringify(payload),
      retained: true,
      receivedAt: 0,
    });
    applyFleetMessage(state, 'edge/v1', {
      topic: 'edge/v1/device-b/status',
      payload: `{"v":${CLEAR}`,
      retained: true,
      receivedAt: 0,
    });
    const table = renderFleetTable(fleetRows(state), Date.parse('2024-06-12T12:00:00.000Z'));
    expect(table).not.toMatch(ACTIVE);
    expect(table).toContain(`9.4${SHOWN}`);
    expect(table).toContain('new\\x1b[2J\\x1b[H -> old');
    expect(table).toContain('dev\\x1b]0;owned\\x07');
  });
});

function hostileFacts(): StatusFacts {
  const f = scenarios['checking-in-progress']!();
  const secret = 'mqtts://edge:hunter2@hub.example.com:8883';
  if (f.device.state === 'ok') f.device.value.hostname = `store${HOSTILE}`;
  // daemon.json written by an older version, with the password in it.
  if (f.daemon.state === 'ok' && f.daemon.value?.hub) f.daemon.value.hub.broker = secret;
  f.config = { ...f.config, hubUrl: secret };
  return f;
}

describe('status', () => {
  const result = buildStatus(hostileFacts());

  it('the human view escapes controls and hides the hub password', () => {
    const text = formatStatus(result, { format: 'text', width: 80, color: false });
    expect(text).not.toMatch(ACTIVE);
    expect(text).toContain(`store${SHOWN}`);
    expect(text).not.toContain('hunter2');
    expect(text).toContain('mqtts://edge:***@hub.example.com:8883');
    // Colour codes are edge-agent's own and still work.
    expect(formatStatus(result, { format: 'text', width: 80, color: true })).toContain('\x1b[1m');
  });

  it.each(['json', 'json-line'] as const)('--json (%s) hides the password and stays parseable', (format) => {
    const json = formatStatus(result, { format, width: 80, color: false });
    expect(json).not.toContain('hunter2');
    expect(json).not.toMatch(ACTIVE);
    const parsed = JSON.parse(json) as { device: { hostname: string } };
    expect(parsed.device.hostname).toBe(`store${HOSTILE}`);
    expect(json).toContain('mqtts://edge:***@hub.example.com:8883');
  });
});

describe('the login message and check output', () => {
  it('motd escapes a failed check message quoted in the summary line', () => {
    const text = motdText(`RED: microshift failed: ${HOSTILE}`, new Date('2024-07-02T10:15:00Z'));
    expect(text).toBe(
      `edge-agent: RED: microshift failed: ${SHOWN} (as of 2024-07-02 10:15 UTC). Details: edge-agent status\n`,
    );
  });

  it('check output escapes messages and warnings from check scripts', () => {
    const result = {
      id: 'script',
      class: 'required',
      outcome: 'fail',
      reason: 'exit-1',
      message: `exit 1: ${HOSTILE}`,
      startedAt: '',
      endedAt: '',
      durationMs: 5,
    } as CheckResult;
    const text = renderCheckRun({
      bootId: 'b',
      dryRun: true,
      verdict: 'fail',
      budgetLine: 'budget',
      results: [result],
      warnings: [`odd ${CLEAR}`],
    });
    expect(text).not.toMatch(ACTIVE);
    expect(text).toContain(`exit 1: ${SHOWN}`);
    expect(text).toContain('warning: odd \\x1b[2J\\x1b[H');
  });
});

describe('history', () => {
  it('escapes reasons and messages that come from records', () => {
    const entries: HistoryEntry[] = [
      { kind: 'rollback', bootId: 'b2', at: '2024-06-12T11:00:00.000Z', message: `rolled back${CLEAR}` },
      {
        kind: 'boot',
        bootId: 'b1',
        at: '2024-06-12T10:00:00.000Z',
        verdict: 'red',
        deployment: `9.4${BIDI}`,
        reason: `microshift: ${HOSTILE}`,
        actions: [{ id: `cleanup${TITLE}`, outcome: 'ok' }],
      },
    ];
    const text = renderHistory(entries);
    expect(text).not.toMatch(ACTIVE);
    expect(text).toContain(`failed: microshift: ${SHOWN}`);
    expect(text).toContain('ROLLBACK  rolled back\\x1b[2J\\x1b[H');
    expect(text).toContain('cleanup\\x1b]0;owned\\x07 ok');
  });
});
