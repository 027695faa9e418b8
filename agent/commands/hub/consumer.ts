// The hub service's broker side. A persistent MQTT 5 session (clean start off, a fixed client id,
// a session expiry) makes the broker queue QoS 1 events while the service is down. Each message
// is acknowledged only after the store has it: mqtt.js sends the PUBACK when handleMessage calls
// back, and handles one message at a time, so per-device order is the broker's order.
import { connect, type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { brokerAddress } from '../../hub/mqtt-session.js';
import { classifyMessage } from '../../core/hub/service/ingest.js';
import type { Logger } from '../../host/logger.js';
import type { TlsMaterial } from '../../hub/hub-config.js';
import type { HubStore } from '../../hub/store.js';
import type { HubServiceConfig } from './hub-service-config.js';

export interface Consumer {
  /** Messages stored since start (events, statuses, online states, rejects). */
  readonly handled: number;
  readonly connected: boolean;
  close(): Promise<void>;
}

export function startConsumer(
  config: HubServiceConfig['broker'],
  tls: TlsMaterial,
  store: HubStore,
  limits: { maxPayloadBytes: number },
  log: Logger,
  now: () => number = Date.now,
): Promise<Consumer> {
  const prefix = config.topicPrefix;
  const options: IClientOptions = {
    protocolVersion: 5,
    clientId: config.clientId,
    clean: false,
    properties: { sessionExpiryInterval: config.sessionExpirySec },
    keepalive: 60,
    reconnectPeriod: 2000,
    connectTimeout: 10_000,
    rejectUnauthorized: true,
    ca: tls.ca,
    cert: tls.cert,
    key: tls.key?.reveal(),
    writeCache: false,
  };
  const client: MqttClient = connect({ ...options, ...brokerAddress(config.url) });
  let handled = 0;
  let failing = false;
  client.handleMessage = (packet: IPublishPacket, callback: (error?: Error) => void) => {
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    const message = classifyMessage(prefix, packet.topic, payload, limits.maxPayloadBytes);
    store.apply(message, packet.topic, now()).then(
      () => {
        handled += 1;
        if (failing) log.info('hub store writable again');
        failing = false;
        callback();
      },
      (error: Error) => {
        // Not acknowledged: the broker keeps the message in the session and sends it again after
        // the reconnect that mqtt.js starts when the connection drops.
        if (!failing)
          log.warn(
            `cannot store a message from ${packet.topic.slice(0, 200)}: ${error.message}; reconnecting so the broker re-sends it`,
          );
        failing = true;
        client.stream?.destroy();
        callback(error);
      },
    );
  };
  const events = config.sharedGroup ? `$share/${config.sharedGroup}/${prefix}/+/events` : `${prefix}/+/events`;
  client.on('connect', (connack) => {
    log.info(`connected to the broker as ${config.clientId} (session ${connack.sessionPresent ? 'resumed' : 'new'})`);
    // Subscribing again is harmless on a resumed session and needed on a new one; the broker
    // then sends every device's retained status and online state.
    client.subscribe([`${prefix}/+/status`, `${prefix}/+/online`, events], { qos: 1 }, (error, granted) => {
      if (error) return log.warn(`subscribe failed: ${error.message}`);
      const refused = (granted ?? []).filter((g) => g.qos > 1);
      if (refused.length > 0)
        log.warn(`the broker refused ${refused.map((g) => g.topic).join(', ')} (check the ACL for ${config.clientId})`);
    });
  });
  client.on('error', (error) => log.warn(`broker: ${error.message}`));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no connection to ${config.url} within 15 s`)), 15_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      client.end(true);
      reject(error);
    };
    // A refused certificate or identity does not get better by retrying every 2 s forever at start.
    client.once('error', fail);
    client.once('connect', () => {
      clearTimeout(timer);
      client.removeListener('error', fail);
      resolve({
        get handled() {
          return handled;
        },
        get connected() {
          return client.connected;
        },
        close: async () => {
          await client.endAsync(false).catch(() => undefined);
        },
      });
    });
  });
}
