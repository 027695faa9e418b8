// Reads the fleet from the broker: subscribes to <prefix>/+/status and <prefix>/+/online and
// collects the retained messages. The broker sends retained messages right after SUBACK, with no
// marker for "that was all", so collecting stops once nothing new arrived for a settle time.
import { randomBytes } from 'node:crypto';
import { applyFleetMessage, type FleetState } from '../core/hub/fleet.js';
import { backoffDelayMs, type BackoffPolicy } from '../core/hub/backoff.js';
import type { Clock } from '../host/clock.js';
import type { TlsMaterial } from './hub-config.js';
import { openSession, sleepUnless, type Session } from './mqtt-session.js';

export interface FleetReaderOptions {
  url: string;
  tls: TlsMaterial;
  prefix: string;
  clock: Clock;
  signal: AbortSignal;
  connectTimeoutMs?: number;
}

export interface FleetReading {
  state: FleetState;
  /** The time cap ended the collection while retained messages were still arriving. */
  cutShort: boolean;
  elapsedMs: number;
}

/** Collect until `settleMs` passed without a new message (at most `maxMs` after subscribing). */
export async function readFleet(
  options: FleetReaderOptions,
  timing: { settleMs?: number; maxMs?: number } = {},
): Promise<FleetReading> {
  const state: FleetState = new Map();
  const session = await connect(options);
  const started = options.clock.monotonic();
  try {
    const settled = await collect(
      session,
      options,
      state,
      () => undefined,
      timing.settleMs ?? 1500,
      timing.maxMs ?? 5000,
    );
    return { state, cutShort: !settled, elapsedMs: Math.round(options.clock.monotonic() - started) };
  } finally {
    session.destroy();
  }
}

/**
 * Keep the view current until the signal aborts: `render` after the first settle and then on
 * changes (at most every `intervalMs`). A lost connection is retried with backoff.
 */
export async function watchFleet(
  options: FleetReaderOptions,
  render: (state: FleetState, connected: boolean) => void,
  timing: { settleMs?: number; intervalMs?: number; backoff?: BackoffPolicy } = {},
): Promise<void> {
  const { clock, signal } = options;
  const state: FleetState = new Map();
  const backoff = timing.backoff ?? { initialMs: 1000, maxMs: 30_000 };
  for (let failures = 0; !signal.aborted; failures += 1) {
    let session: Session | undefined;
    try {
      session = await connect(options);
      failures = 0;
      let dirty = false;
      await collect(session, options, state, () => (dirty = true), timing.settleMs ?? 1500, 5000);
      render(state, true);
      while (session.open && !signal.aborted) {
        await sleepUnless(clock, timing.intervalMs ?? 500, [signal, session.signal]);
        if (dirty) render(state, session.open);
        dirty = false;
      }
    } catch (error) {
      if (signal.aborted) break;
      if (failures === 0 && state.size === 0) throw error;
    } finally {
      session?.destroy();
    }
    if (signal.aborted) break;
    render(state, false);
    await clock.sleep(backoffDelayMs(failures, backoff, Math.random), signal).catch(() => undefined);
  }
}

function connect(options: FleetReaderOptions): Promise<Session> {
  return openSession({
    url: options.url,
    clientId: `edge-agent-fleet-${randomBytes(4).toString('hex')}`,
    tls: options.tls,
    keepaliveSec: 60,
    protocolVersion: 5,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    clock: options.clock,
    signal: options.signal,
  });
}

/** Resolves true when the messages settled, false when the time cap (or the connection) ended it. */
async function collect(
  session: Session,
  options: FleetReaderOptions,
  state: FleetState,
  changed: () => void,
  settleMs: number,
  maxMs: number,
): Promise<boolean> {
  const { clock, prefix, signal } = options;
  let last = clock.monotonic();
  session.client.on('message', (topic, payload, packet) => {
    last = clock.monotonic();
    if (
      applyFleetMessage(state, prefix, {
        topic,
        payload: payload.toString('utf8'),
        retained: packet.retain,
        receivedAt: clock.now(),
      })
    )
      changed();
  });
  await session.client.subscribeAsync([`${prefix}/+/status`, `${prefix}/+/online`], { qos: 1 });
  const started = clock.monotonic();
  last = Math.max(last, started);
  const step = Math.min(100, settleMs);
  for (let i = 0; i < Math.ceil(maxMs / step) + 1 && !signal.aborted && session.open; i += 1) {
    const now = clock.monotonic();
    if (now - last >= settleMs) return true;
    if (now - started >= maxMs) return false;
    await clock.sleep(step, signal).catch(() => undefined);
  }
  return false;
}
