// The hub sink: reports this device to an MQTT broker under <topicPrefix>/<deviceId>/.
//
// On every connection: retained `online` (the last will is retained `offline`), then the status,
// then the outbox in order (QoS 1, acked only after PUBACK), then it keeps up with new events and
// status changes. The status is published when it changes, at most every statusMinIntervalSec,
// and at least every heartbeatSec. Lost connections are retried with exponential backoff and
// jitter. close() flushes what it can in a time limit and says `offline` itself.
import {
  HubEventSchema,
  HUB_TOPICS,
  toWireEvent,
  toWireStatus,
  type DeviceStatus,
  type DeviceStatusInput,
  type HubEventBody,
  type HubEventRecord,
  type HubEventType,
} from '../core/hub/payloads.js';
import { backoffDelayMs, defaultBackoff, type BackoffPolicy } from '../core/hub/backoff.js';
import { planStatusPublish, statusFingerprint } from '../core/hub/status.js';
import { DataError, TimeoutError } from '../errors.js';
import { raceDeadline } from '../core/deadline.js';
import type { Clock } from '../host/clock.js';
import { createIdGenerator, idTime, type IdGenerator } from './event-id.js';
import { displayUrl, type HubConnection } from './hub-config.js';
import { HubConnectError, openSession, sleepUnless, type Session } from './mqtt-session.js';
import type { Outbox, OutboxItem } from './outbox.js';

export interface SinkLog {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

export interface MqttSinkOptions {
  connection: HubConnection;
  outbox: Outbox;
  clock: Clock;
  log: SinkLog;
  agentVersion: string;
  backoff?: BackoffPolicy;
  random?: () => number;
  newId?: IdGenerator;
  connectTimeoutMs?: number;
  /** Events published before waiting for their PUBACKs. */
  batchSize?: number;
}

export interface SinkState {
  connected: boolean;
  connects: number;
  lastError?: string;
  published: { events: number; statuses: number };
  /** When the broker last acknowledged a status or event we sent (ISO 8601). */
  lastAckAt?: string;
  /** Topic and payload bytes published (MQTT and TLS framing not included). */
  payloadBytes: number;
}

export interface HubSink {
  readonly deviceId: string;
  readonly topics: { status: string; events: string; online: string };
  /** Connect in the background and keep reconnecting until close(). */
  start(): void;
  /** Queue an event durably (resolves once it is on disk), publish when connected. */
  /** `id`: one taken from nextId() earlier (and kept), for an event that may be queued again after a crash. */
  report<T extends HubEventType>(
    type: T,
    body: HubEventBody<T>,
    options?: { id?: string },
  ): Promise<{ id: string; stored: boolean }>;
  /** A new event id (time-ordered), for a caller that keeps it before it reports the event. */
  nextId(): string;
  /** The latest device status; published when it changed, rate-limited. */
  publishStatus(status: DeviceStatusInput): void;
  state(): SinkState;
  /** Flush within timeoutMs (default 5 s), publish `offline`, disconnect. */
  close(options?: { timeoutMs?: number }): Promise<void>;
}

/** A session that lasted this long resets the backoff; shorter ones keep growing it. */
const STABLE_SESSION_MS = 60_000;

export function createMqttSink(options: MqttSinkOptions): HubSink {
  return new MqttSink(options);
}

class MqttSink implements HubSink {
  readonly deviceId: string;
  readonly topics: { status: string; events: string; online: string };
  private readonly newId: IdGenerator;
  private readonly stop = new AbortController();
  private wakeup = new AbortController();
  private dirty = false;
  private running?: Promise<void>;
  private session?: Session;
  private protocolVersion: 4 | 5 = 5;
  private statusInput?: DeviceStatusInput;
  private sentStatus?: { fingerprint: string; atMs: number };
  private deadline = Infinity;
  private readonly stats: SinkState = {
    connected: false,
    connects: 0,
    published: { events: 0, statuses: 0 },
    payloadBytes: 0,
  };

  constructor(private readonly options: MqttSinkOptions) {
    const { connection } = options;
    this.deviceId = connection.deviceId;
    const base = `${connection.topicPrefix}/${connection.deviceId}/`;
    this.topics = {
      status: base + HUB_TOPICS.status,
      events: base + HUB_TOPICS.events,
      online: base + HUB_TOPICS.online,
    };
    this.newId = options.newId ?? createIdGenerator(options.clock);
  }

  start(): void {
    this.running ??= this.run();
  }

  async report<T extends HubEventType>(
    type: T,
    body: HubEventBody<T>,
    options: { id?: string } = {},
  ): Promise<{ id: string; stored: boolean }> {
    const result = await enqueueEvent(
      { outbox: this.options.outbox, clock: this.options.clock, newId: this.newId, deviceId: this.deviceId },
      type,
      body,
      options.id,
    );
    this.wake();
    return result;
  }

  nextId(): string {
    return this.newId();
  }

  publishStatus(status: DeviceStatusInput): void {
    this.statusInput = status;
    this.wake();
  }

  state(): SinkState {
    return { ...this.stats, published: { ...this.stats.published } };
  }

  async close(options: { timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 5000;
    if (!this.stop.signal.aborted) {
      this.deadline = this.options.clock.monotonic() + timeoutMs;
      this.stop.abort();
      this.wake();
    }
    if (!this.running) return;
    await raceDeadline(this.running, { clock: this.options.clock, ms: timeoutMs + 2000, onTimeout: () => undefined });
    this.session?.destroy();
  }

  private wake(): void {
    this.dirty = true;
    this.wakeup.abort();
    this.wakeup = new AbortController();
  }

  private async run(): Promise<void> {
    const { clock, log, connection } = this.options;
    let failures = 0;
    let lastReason = '';
    while (!this.stop.signal.aborted) {
      const started = clock.monotonic();
      let delay = 0;
      try {
        this.session = await openSession({
          url: connection.url,
          clientId: connection.deviceId,
          tls: connection.tls,
          keepaliveSec: connection.keepaliveSec,
          protocolVersion: this.protocolVersion,
          will: { topic: this.topics.online, payload: 'offline' },
          connectTimeoutMs: this.options.connectTimeoutMs ?? 30_000,
          clock,
          signal: this.stop.signal,
        });
        this.stats.connected = true;
        this.stats.connects += 1;
        log.info(
          `hub: connected to ${displayUrl(connection.url)} as ${this.deviceId} (MQTT ${this.protocolVersion === 5 ? '5' : '3.1.1'})`,
        );
        lastReason = '';
        await this.serve(this.session);
        if (!this.stop.signal.aborted) throw new Error(this.session.closeReason);
      } catch (error) {
        if (this.stop.signal.aborted) break;
        const reason = (error as Error).message;
        this.stats.lastError = reason;
        // MQTT 3.1.1 brokers answer a version 5 CONNECT with "unacceptable protocol version".
        if (
          error instanceof HubConnectError &&
          (error.reasonCode === 1 || error.reasonCode === 132) &&
          this.protocolVersion === 5
        )
          this.protocolVersion = 4;
        if (clock.monotonic() - started >= STABLE_SESSION_MS) failures = 0;
        delay = backoffDelayMs(failures, this.options.backoff ?? defaultBackoff, this.options.random ?? Math.random);
        failures += 1;
        const line = `hub: ${reason}; retrying in ${(delay / 1000).toFixed(1)} s`;
        if (reason === lastReason) log.debug(line);
        else log.warn(line);
        lastReason = reason;
      } finally {
        this.stats.connected = false;
        this.session?.destroy();
        this.session = undefined;
      }
      await clock.sleep(delay, this.stop.signal).catch(() => undefined);
    }
  }

  /** One connection: until it is lost (returns) or close() was called (flushes, says offline). */
  private async serve(session: Session): Promise<void> {
    const { clock, connection } = this.options;
    this.sentStatus = undefined;
    await this.publish(session, this.topics.online, 'online', true);
    while (session.open) {
      this.dirty = false;
      if (this.stop.signal.aborted) return this.finish(session);
      await this.drain(session);
      const status = this.buildStatus(session);
      const plan = planStatusPublish({
        fingerprint: status && statusFingerprint(status),
        sent: this.sentStatus,
        nowMs: clock.monotonic(),
        minIntervalMs: connection.statusMinIntervalSec * 1000,
        heartbeatMs: connection.heartbeatSec * 1000,
      });
      if (status && plan.kind === 'now') {
        await this.publish(session, this.topics.status, JSON.stringify(status), true);
        this.sentStatus = { fingerprint: statusFingerprint(status), atMs: clock.monotonic() };
        this.stats.published.statuses += 1;
        this.stats.lastAckAt = new Date(clock.now()).toISOString();
        continue;
      }
      if (this.dirty || this.stop.signal.aborted) continue;
      const waitMs = plan.kind === 'at' ? Math.max(0, plan.atMs - clock.monotonic()) : connection.heartbeatSec * 1000;
      await sleepUnless(clock, waitMs, [this.wakeup.signal, session.signal, this.stop.signal]);
    }
  }

  private async finish(session: Session): Promise<void> {
    const { clock } = this.options;
    try {
      await this.drain(session);
      await this.publish(session, this.topics.online, 'offline', true);
    } catch (error) {
      this.options.log.warn(`hub: could not flush before closing: ${(error as Error).message}`);
    }
    await session.end(clock, Math.max(100, Math.min(2000, this.deadline - clock.monotonic())));
  }

  /** Publish queued items in order until the outbox is empty (or the connection or time runs out). */
  private async drain(session: Session): Promise<void> {
    const batch = this.options.batchSize ?? 32;
    const rounds = Math.ceil((this.options.outbox.size().events + 8) / batch) + 1;
    for (let round = 0; round < rounds && session.open; round += 1) {
      const items = await this.options.outbox.peek(batch);
      if (items.length === 0) return;
      // mqtt.js sends them in order on the one connection; the PUBACKs are awaited together.
      const results = await Promise.allSettled(
        items.map((item) => this.publish(session, this.topics.events, this.wireEvent(item), false)),
      );
      // Only the delivered prefix is acked, so a gap is re-sent before anything after it.
      const delivered = results.findIndex((r) => r.status === 'rejected');
      const acked = items.slice(0, delivered === -1 ? items.length : delivered).map(itemId);
      const failure = delivered === -1 ? undefined : (results[delivered] as PromiseRejectedResult).reason;
      await this.options.outbox.ack(acked);
      this.stats.published.events += acked.length;
      if (acked.length) this.stats.lastAckAt = new Date(this.options.clock.now()).toISOString();
      if (failure !== undefined) throw failure;
    }
  }

  private wireEvent(item: OutboxItem): string {
    if (item.kind === 'event') return toWireEvent(item.event, this.deviceId);
    const { id, count, total, since, until, byType } = item.report;
    return toWireEvent(
      { id, type: 'events-dropped', time: until, body: { count, total, since, until, byType } },
      this.deviceId,
    );
  }

  private buildStatus(session: Session): DeviceStatus | undefined {
    if (!this.statusInput) return undefined;
    const now = new Date(this.options.clock.now()).toISOString();
    const dropped = this.options.outbox.dropped();
    return toWireStatus(this.statusInput, {
      device: this.deviceId,
      agent: this.options.agentVersion,
      outbox: { queued: this.options.outbox.size().events, dropped: dropped.total },
      connectedAt: new Date(session.connectedAt).toISOString(),
      updatedAt: now,
    });
  }

  private async publish(session: Session, topic: string, payload: string, retain: boolean): Promise<void> {
    const remaining = this.deadline - this.options.clock.monotonic();
    if (remaining <= 0) throw new TimeoutError('out of time');
    await raceDeadline(session.publish(topic, payload, { qos: 1, retain }), {
      clock: this.options.clock,
      ms: remaining,
      onTimeout: () => {
        throw new TimeoutError('out of time');
      },
    });
    this.stats.payloadBytes += Buffer.byteLength(topic) + Buffer.byteLength(payload);
  }
}

/**
 * Check an event against the hub's schema and store it in the outbox (resolves once it is on
 * disk). Also what a hub that is still waiting for its certificate uses: events queue meanwhile.
 */
export async function enqueueEvent<T extends HubEventType>(
  deps: { outbox: Outbox; clock: Clock; newId: IdGenerator; deviceId: string },
  type: T,
  body: HubEventBody<T>,
  id?: string,
): Promise<{ id: string; stored: boolean }> {
  // An id taken earlier carries its time: the same event queued again is the same payload.
  const record: HubEventRecord = {
    id: id ?? deps.newId(),
    type,
    time: new Date(id ? idTime(id) : deps.clock.now()).toISOString(),
    body,
  };
  // A malformed event is a bug in the caller: refuse it here rather than at the hub.
  const checked = HubEventSchema.safeParse(JSON.parse(toWireEvent(record, deps.deviceId)));
  if (!checked.success)
    throw new DataError(
      'hub-event-invalid',
      `event ${type} does not match the hub schema: ${checked.error.issues[0]?.message ?? 'invalid'}`,
    );
  const result = await deps.outbox.enqueue(record);
  return { id: record.id, stored: result.stored };
}

function itemId(item: OutboxItem): string {
  return item.kind === 'event' ? item.event.id : item.report.id;
}
