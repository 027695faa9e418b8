// One MQTT connection, start to end. mqtt.js's own reconnect is off (reconnectPeriod 0): the
// callers own retries and backoff, and a lost connection fails every publish still waiting for
// its PUBACK, so the outbox keeps those events and sends them again on the next connection.
import type { IClientOptions, IClientPublishOptions, MqttClient } from 'mqtt';
import { HostError } from '../errors.js';
import { raceDeadline } from '../core/deadline.js';
import type { Clock } from '../host/clock.js';
import { displayUrl, type TlsMaterial } from './hub-config.js';

export interface SessionOptions {
  url: string;
  clientId: string;
  tls: TlsMaterial;
  keepaliveSec: number;
  /** MQTT 5 reports refused publishes (PUBACK reason codes); 4 (3.1.1) for brokers without 5. */
  protocolVersion: 4 | 5;
  will?: { topic: string; payload: string };
  connectTimeoutMs: number;
  clock: Clock;
  signal?: AbortSignal;
}

export class Session {
  private readonly lost = new AbortController();
  private reason = 'connection closed';
  readonly connectedAt: number;

  constructor(
    readonly client: MqttClient,
    connectedAt: number,
  ) {
    this.connectedAt = connectedAt;
    client.on('error', (error) => {
      this.reason = error.message;
    });
    client.on('close', () => this.markLost());
  }

  private readonly waiting = new Set<(error: Error) => void>();

  private markLost(): void {
    this.lost.abort();
    for (const reject of this.waiting) reject(lostError(this.reason));
    this.waiting.clear();
  }

  get open(): boolean {
    return !this.lost.signal.aborted;
  }

  /** Aborted when the connection is gone. */
  get signal(): AbortSignal {
    return this.lost.signal;
  }

  get closeReason(): string {
    return this.reason;
  }

  /** Resolves on PUBACK (QoS 1); rejects when the broker refuses it or the connection is lost. */
  async publish(topic: string, payload: string, options: IClientPublishOptions): Promise<void> {
    if (!this.open) throw lostError(this.reason);
    const published = this.client.publishAsync(topic, payload, options);
    published.catch(() => undefined);
    // One set of waiters instead of a listener per publish on the session's signal.
    let onLost: (error: Error) => void = () => undefined;
    const lost = new Promise<never>((_, reject) => {
      onLost = reject;
    });
    lost.catch(() => undefined);
    this.waiting.add(onLost);
    try {
      await Promise.race([published, lost]);
    } finally {
      this.waiting.delete(onLost);
    }
  }

  /** Clean DISCONNECT (the broker then drops the last will), bounded in time. */
  async end(clock: Clock, timeoutMs: number): Promise<void> {
    if (this.open) {
      const ended = this.client.endAsync(false);
      ended.catch(() => undefined);
      await raceDeadline(ended, { clock, ms: timeoutMs, onTimeout: () => undefined }).catch(() => undefined);
    }
    this.destroy();
  }

  destroy(): void {
    this.client.end(true);
    this.markLost();
  }
}

/**
 * Sleep until ms passed or any signal aborts; never rejects. Listeners are removed afterwards
 * (AbortSignal.any would tie a new signal to long-lived ones on every call).
 */
export async function sleepUnless(clock: Clock, ms: number, signals: readonly AbortSignal[]): Promise<void> {
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  for (const signal of signals) {
    if (signal.aborted) return;
    signal.addEventListener('abort', onAbort, { once: true });
  }
  try {
    await clock.sleep(ms, controller.signal).catch(() => undefined);
  } finally {
    for (const signal of signals) signal.removeEventListener('abort', onAbort);
  }
}

function lostError(reason: string): HostError {
  return new HostError('hub-connection-lost', `connection to the hub lost: ${reason}`, { retryable: true });
}

export async function openSession(options: SessionOptions): Promise<Session> {
  // Loaded at the first connection, not with the daemon: a daemon still waiting for its hub
  // certificate (or with the hub unreachable from the start) does not hold mqtt.js and its
  // streams in memory (~2 MB of heap) for nothing.
  const mqtt = await import('mqtt');
  // mqtt.js is CommonJS: in the bundle a dynamic import hands it over as { default: exports }.
  const connect = mqtt.connect ?? (mqtt as unknown as { default: typeof mqtt }).default.connect;
  if (options.signal?.aborted) throw connectError(options.url, 'aborted');
  const mqttOptions: IClientOptions = {
    protocolVersion: options.protocolVersion,
    clientId: options.clientId,
    clean: true,
    keepalive: options.keepaliveSec,
    reconnectPeriod: 0,
    connectTimeout: options.connectTimeoutMs,
    resubscribe: false,
    queueQoSZero: false,
    // Otherwise mqtt-packet fills a cache of 65 536 two-byte Buffers (one per packet id and
    // length) on the first packet: 7 MB of heap, a third of the daemon's, to save a tiny
    // allocation per packet on a connection that sends a few a minute.
    writeCache: false,
    rejectUnauthorized: true,
    ca: options.tls.ca,
    cert: options.tls.cert,
    key: options.tls.key?.reveal(),
    will: options.will
      ? { topic: options.will.topic, payload: Buffer.from(options.will.payload), qos: 1, retain: true }
      : undefined,
  };
  return new Promise((resolve, reject) => {
    const client = connect({ ...mqttOptions, ...brokerAddress(options.url) });
    const timer = new AbortController();
    let done = false;
    const settle = (error?: Error) => {
      if (done) return;
      done = true;
      client.removeListener('connect', onConnect);
      client.removeListener('close', onClose);
      options.signal?.removeEventListener('abort', onAbort);
      timer.abort();
      if (!error) return resolve(new Session(client, options.clock.now()));
      client.end(true);
      reject(error);
    };
    let lastError: Error | undefined;
    const onConnect = () => settle();
    const onClose = () =>
      settle(
        connectError(options.url, lastError?.message ?? 'connection closed before the broker accepted it', lastError),
      );
    const onAbort = () => settle(connectError(options.url, 'aborted'));
    client.on('error', (error) => {
      lastError = error;
    });
    client.once('connect', onConnect);
    client.once('close', onClose);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    options.clock.sleep(options.connectTimeoutMs, timer.signal).then(
      () => settle(connectError(options.url, `no answer within ${Math.round(options.connectTimeoutMs / 1000)} s`)),
      () => undefined,
    );
  });
}

/** A refused or failed connection; `reasonCode` is the MQTT CONNACK code when there was one. */
export class HubConnectError extends HostError {
  constructor(
    message: string,
    readonly reasonCode: number | undefined,
    cause?: unknown,
  ) {
    super('hub-connect-failed', message, { cause, retryable: true });
  }
}

function connectError(url: string, reason: string, cause?: Error): HubConnectError {
  const code = (cause as { code?: unknown } | undefined)?.code;
  return new HubConnectError(
    `cannot connect to ${displayUrl(url)}: ${reason}`,
    typeof code === 'number' ? code : undefined,
    cause,
  );
}

/**
 * The broker URL's parts as mqtt.js options. Given the URL as a string, mqtt.js parses it with
 * Node's url.parse(), which Node 24 reports as deprecated (DEP0169) on stderr at every connect.
 * Only mqtt:// and mqtts:// reach here (hub-config checks the scheme).
 */
export function brokerAddress(
  url: string,
): Pick<IClientOptions, 'protocol' | 'hostname' | 'host' | 'port' | 'username' | 'password'> {
  const parsed = new URL(url);
  const protocol = parsed.protocol === 'mqtts:' ? 'mqtts' : 'mqtt';
  // A literal IPv6 host comes bracketed from URL; the socket wants it bare.
  const hostname = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    protocol,
    hostname,
    host: hostname,
    port: Number(parsed.port || (protocol === 'mqtts' ? 8883 : 1883)),
    // Credentials in the URL (mqtts://user:pass@host), as mqtt.js took them from the string.
    ...(parsed.username && { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password && { password: decodeURIComponent(parsed.password) }),
  };
}
