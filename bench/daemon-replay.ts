// Benchmark: how long the hub sink takes to replay a full outbox after it reconnects. A figure,
// not a test (DESIGN.md sets no budget; a device offline for days comes back with up to
// outbox.maxEvents = 10 000 events).
//
// On the host: a loopback Mosquitto (the shipped example config, TLS client certificates) and the
// daemon's sink in this process with the default outbox limits (5 MB, 10 000 events) in a temp
// dir. BENCH_EVENTS (default 10 000) check-failed events are queued while the sink is not
// connected (as they are while a device is offline), then the sink starts. Times: connecting,
// then from the connection until the outbox is empty (every event PUBACKed by the broker, in
// order), and until a fleet-reader subscriber (QoS 0: no per-client queue limit in the broker)
// has them all, in order.
import { round } from './lib/figures.js';
import { createTestSink, eventually, startBroker, subscribe } from '../test/harness/mosquitto.js';
import { HubEventSchema } from '../agent/core/hub/payloads.js';

const EVENTS = positiveInt(process.env.BENCH_EVENTS, 10_000);

async function main(): Promise<number> {
  const broker = await startBroker();
  try {
    const sub = await subscribe(broker, ['edge/v1/device-a/events'], { mqtt: { protocolVersion: 5 } });
    await sub.client.unsubscribeAsync('edge/v1/device-a/events');
    await sub.client.subscribeAsync('edge/v1/device-a/events', { qos: 0 });
    const test = await createTestSink(broker, { as: 'device-a', start: false });
    try {
      console.log(
        `daemon-replay: ${EVENTS} queued events replayed by the hub sink to ${broker.url} (Mosquitto, TLS) after it connects; outbox limits as by default (5 MB, 10 000 events)`,
      );
      const queueStart = performance.now();
      for (let i = 0; i < EVENTS; i += 1)
        await test.sink.report('check-failed', {
          check: 'var-free-space',
          class: 'wanted',
          reason: 'below-threshold',
          message: String(i),
        });
      const queueMs = performance.now() - queueStart;
      const size = test.outbox.size();

      const start = performance.now();
      test.sink.start();
      await eventually(() => test.sink.state().connected, 30_000, 'connected');
      const connected = performance.now();
      await eventually(() => test.outbox.size().events === 0, 600_000, 'outbox drained');
      const drained = performance.now();
      await eventually(
        () => sub.messages.length >= EVENTS,
        60_000,
        `all ${EVENTS} events at the subscriber (has ${sub.messages.length})`,
      ).catch(() => undefined);
      const received = performance.now();

      const numbers = sub.messages.map((m) =>
        Number((HubEventSchema.parse(JSON.parse(m.payload)).body as { message: string }).message),
      );
      const inOrder = numbers.every((n, i) => i === 0 || n > (numbers[i - 1] as number));
      // The outbox counts an ack before its write settles; the sink's counters follow right after.
      await eventually(() => test.sink.state().published.events >= EVENTS, 5000, 'sink counters').catch(
        () => undefined,
      );
      const state = test.sink.state();
      const replaySec = (drained - connected) / 1000;
      console.log(
        `queued ${EVENTS} events in ${(queueMs / 1000).toFixed(2)} s (${round(queueMs / EVENTS, 3)} ms each; outbox ${size.events} events, ${round(size.bytes / 1024, 0)} KiB, dropped ${test.outbox.dropped().total})`,
      );
      console.log(
        `connect ${round(connected - start)} ms; replay until every event was PUBACKed: ${replaySec.toFixed(2)} s (${round(EVENTS / replaySec)} events/s); at the subscriber after ${((received - connected) / 1000).toFixed(2)} s: ${numbers.length}/${EVENTS}, ${inOrder ? 'in order' : 'OUT OF ORDER'}`,
      );
      console.log(
        `  command: node --import tsx bench/daemon-replay.ts (BENCH_EVENTS=${EVENTS}); sink published ${state.published.events} events, ${state.payloadBytes} payload bytes`,
      );
      console.log(
        JSON.stringify({
          bench: 'daemon-replay',
          events: EVENTS,
          queueSec: round(queueMs / 1000, 2),
          connectMs: round(connected - start),
          replaySec: round(replaySec, 2),
          eventsPerSec: round(EVENTS / replaySec),
          subscriber: { received: numbers.length, inOrder, afterSec: round((received - connected) / 1000, 2) },
          dropped: test.outbox.dropped().total,
        }),
      );
      return 0;
    } finally {
      await test.close({ timeoutMs: 2000 });
      await sub.close();
    }
  } finally {
    await broker.cleanup();
  }
}

function positiveInt(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`expected a positive whole number, got '${value}'`);
  return n;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`daemon-replay: measurement failed: ${(error as Error).stack ?? String(error)}`);
    process.exit(2);
  },
);
