// Virtual devices for the hub service tests: real MQTT clients over TLS with the harness's
// device certificates, publishing what edge-agent publishes (retained status and online, QoS 1
// events with ULIDs). Payloads are built with the agent's own wire functions.
import type { MqttClient } from 'mqtt';
import {
  toWireEvent,
  toWireStatus,
  type DeviceStatusInput,
  type HubEventRecord,
} from '../../agent/core/hub/payloads.js';
import { createIdGenerator } from '../../agent/hub/event-id.js';
import { connectClient, type TestBroker } from './mosquitto.js';

export interface VirtualDevice {
  id: string;
  client: MqttClient;
  /** Every event published, in order (with the ids the hub must keep). */
  published: HubEventRecord[];
  status(input: Partial<DeviceStatusInput>): Promise<void>;
  online(value: 'online' | 'offline'): Promise<void>;
  event(type: string, body: unknown, at?: number): Promise<HubEventRecord>;
  /** Publish an event again, as a device does after a lost PUBACK. */
  republish(record: HubEventRecord): Promise<void>;
  raw(suffix: string, payload: string | Buffer, retain?: boolean): Promise<void>;
  close(): Promise<void>;
}

export async function connectDevice(broker: TestBroker, id: string, prefix = 'edge/v1'): Promise<VirtualDevice> {
  const client = await connectClient(broker, id);
  let clock = Date.parse('2026-01-01T00:00:00.000Z');
  const nextId = createIdGenerator({ now: () => clock });
  const published: HubEventRecord[] = [];
  const publish = (suffix: string, payload: string | Buffer, retain: boolean) =>
    client.publishAsync(`${prefix}/${id}/${suffix}`, payload, { qos: 1, retain }).then(() => undefined);
  return {
    id,
    client,
    published,
    status: (input) =>
      publish(
        'status',
        JSON.stringify(
          toWireStatus(
            { verdict: 'green', ...input },
            {
              device: id,
              agent: '0.1.0-test',
              outbox: { queued: 0, dropped: 0 },
              updatedAt: new Date(clock).toISOString(),
            },
          ),
        ),
        true,
      ),
    online: (value) => publish('online', value, true),
    async event(type, body, at) {
      clock = at ?? clock + 1000;
      const record: HubEventRecord = { id: nextId(), type, time: new Date(clock).toISOString(), body };
      await publish('events', toWireEvent(record, id), false);
      published.push(record);
      return record;
    },
    republish: (record) => publish('events', toWireEvent(record, id), false),
    raw: (suffix, payload, retain = false) => publish(suffix, payload, retain),
    close: () => client.endAsync(true),
  };
}

export const deployment = (version: string) => ({
  version,
  checksum: version.replace(/\D/g, '').padEnd(12, '0').slice(0, 12),
});

/** A bad update on a device: RED three times, the rollback, then GREEN on the old deployment. */
export async function publishRollback(
  device: VirtualDevice,
  from: string,
  to: string,
  preRollback?: Array<{ id: string; outcome: string; message?: string }>,
): Promise<void> {
  for (let n = 1; n <= 3; n += 1) {
    await device.event('boot-verdict', {
      verdict: 'red',
      deployment: deployment(from),
      attempt: { n, max: 3 },
      failed: [{ check: 'microshift', reason: 'workloads-not-ready' }],
    });
  }
  await device.event('rollback-detected', {
    from: deployment(from),
    to: deployment(to),
    reason: 'boot red 3 times',
    ...(preRollback && { preRollback }),
  });
  await device.event('boot-verdict', { verdict: 'green', deployment: deployment(to), attempt: { n: 0, max: 3 } });
}
