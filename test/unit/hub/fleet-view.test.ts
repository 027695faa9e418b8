// The fleet view from retained messages: rows, problems first, filters, the table.
import { describe, expect, it } from 'vitest';
import {
  applyFleetMessage,
  filterFleetRows,
  fleetRows,
  formatAge,
  renderFleetTable,
  sortFleetRows,
  type FleetState,
} from '../../../agent/core/hub/fleet.js';
import { toWireStatus, type DeviceStatusInput } from '../../../agent/core/hub/payloads.js';

const now = Date.parse('2024-06-12T12:00:00.000Z');
const prefix = 'edge/v1';

function status(
  device: string,
  input: Partial<DeviceStatusInput> & { queued?: number; dropped?: number; updatedAt?: string } = {},
): string {
  const { queued = 0, dropped = 0, updatedAt = '2024-06-12T11:59:00.000Z', ...rest } = input;
  return JSON.stringify(
    toWireStatus(
      { verdict: 'green', booted: { version: '9.4.1', checksum: 'aaaaaaaaaaaa' }, ...rest },
      { device, agent: '0.1.0', outbox: { queued, dropped }, connectedAt: '2024-06-12T10:00:00.000Z', updatedAt },
    ),
  );
}

function fleet(messages: [string, string][]): FleetState {
  const state: FleetState = new Map();
  for (const [topic, payload] of messages)
    applyFleetMessage(state, prefix, { topic: `${prefix}/${topic}`, payload, retained: true, receivedAt: now });
  return state;
}

const sample = () =>
  fleet([
    ['ok-1/status', status('ok-1')],
    ['ok-1/online', 'online'],
    ['red-1/status', status('red-1', { verdict: 'red', attempt: { n: 2, max: 3 } })],
    ['red-1/online', 'online'],
    ['gone-1/status', status('gone-1', { updatedAt: '2024-06-12T09:00:00.000Z' })],
    ['gone-1/online', 'offline'],
    ['lossy-1/status', status('lossy-1', { dropped: 12, queued: 40 })],
    ['lossy-1/online', 'online'],
    ['new-1/online', 'online'],
    ['junk-1/status', '{"v":1,'],
    ['junk-1/online', 'online'],
  ]);

describe('fleet rows', () => {
  it('one row per device with what the status says', () => {
    const rows = fleetRows(sample());
    expect(rows.find((r) => r.id === 'red-1')).toMatchObject({
      online: 'online',
      since: '2024-06-12T10:00:00.000Z',
      booted: '9.4.1',
      verdict: 'red',
      attempt: '2/3',
      problems: ['boot red'],
    });
    expect(rows.find((r) => r.id === 'gone-1')).toMatchObject({
      online: 'offline',
      since: undefined,
      lastSeen: '2024-06-12T09:00:00.000Z',
      problems: ['offline'],
    });
    expect(rows.find((r) => r.id === 'lossy-1')).toMatchObject({
      queued: 40,
      dropped: 12,
      problems: ['12 events dropped'],
    });
    expect(rows.find((r) => r.id === 'new-1')).toMatchObject({ verdict: 'unknown', problems: ['no status'] });
    expect(rows.find((r) => r.id === 'junk-1')?.problems[0]).toMatch(/unreadable status/);
  });

  it('sorts problems first: offline, red, lost data or unreadable, then undecided, then fine', () => {
    expect(sortFleetRows(fleetRows(sample()), 'state').map((r) => r.id)).toEqual([
      'gone-1',
      'red-1',
      'junk-1',
      'lossy-1',
      'new-1',
      'ok-1',
    ]);
    expect(sortFleetRows(fleetRows(sample()), 'id').map((r) => r.id)).toEqual([
      'gone-1',
      'junk-1',
      'lossy-1',
      'new-1',
      'ok-1',
      'red-1',
    ]);
    expect(
      sortFleetRows(fleetRows(sample()), 'seen')
        .map((r) => r.id)
        .slice(0, 3),
    ).toEqual(['junk-1', 'new-1', 'gone-1']);
  });

  it.each([
    ['offline', ['gone-1']],
    ['red', ['red-1']],
    ['dropped', ['lossy-1']],
    ['problem', ['gone-1', 'red-1', 'junk-1', 'lossy-1', 'new-1']],
  ] as const)('filters --state %s', (filter, ids) => {
    expect(filterFleetRows(sortFleetRows(fleetRows(sample()), 'state'), filter).map((r) => r.id)).toEqual(ids);
  });

  it('a live online change carries its time; an emptied retained status is forgotten', () => {
    const state = sample();
    applyFleetMessage(state, prefix, {
      topic: 'edge/v1/ok-1/online',
      payload: 'offline',
      retained: false,
      receivedAt: now,
    });
    expect(fleetRows(state).find((r) => r.id === 'ok-1')).toMatchObject({
      online: 'offline',
      since: new Date(now).toISOString(),
    });
    applyFleetMessage(state, prefix, { topic: 'edge/v1/ok-1/status', payload: '', retained: true, receivedAt: now });
    expect(fleetRows(state).find((r) => r.id === 'ok-1')?.problems).toEqual(['offline', 'no status']);
  });

  it('ignores topics outside the layout', () => {
    const state: FleetState = new Map();
    expect(
      applyFleetMessage(state, prefix, { topic: 'edge/v1/a/events', payload: '{}', retained: false, receivedAt: now }),
    ).toBe(false);
    expect(
      applyFleetMessage(state, prefix, {
        topic: 'edge/v1/a/status/x',
        payload: '{}',
        retained: false,
        receivedAt: now,
      }),
    ).toBe(false);
    expect(
      applyFleetMessage(state, prefix, { topic: 'other/a/status', payload: '{}', retained: false, receivedAt: now }),
    ).toBe(false);
    expect(state.size).toBe(0);
  });
});

describe('fleet table', () => {
  it('renders one line per device and lists problems', () => {
    const text = renderFleetTable(sortFleetRows(fleetRows(sample()), 'state'), now);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(
      /^DEVICE\s+ONLINE\s+SINCE\s+BOOTED\s+VERDICT\s+LAST ROLLBACK\s+QUEUED\s+DROPPED\s+LAST SEEN$/,
    );
    expect(lines[1]).toMatch(/^gone-1\s+offline\s+-\s+9\.4\.1\s+green\s+-\s+0\s+0\s+3h ago$/);
    expect(lines[2]).toMatch(/^red-1\s+online\s+2h ago\s+9\.4\.1\s+red \(2\/3\)/);
    expect(text).toContain('problems:\n  gone-1: offline\n  red-1: boot red\n');
    expect(renderFleetTable([], now)).toBe('no devices\n');
  });

  it.each([
    [5_000, '5s'],
    [120_000, '2m'],
    [3 * 3600_000, '3h'],
    [3 * 86400_000, '3d'],
  ])('formatAge(%i) = %s', (ms, text) => expect(formatAge(ms)).toBe(text));
});
