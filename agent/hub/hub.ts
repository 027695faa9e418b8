// The hub as the daemon uses it: from the config to a started sink over its outbox, or nothing
// when no hub is configured (then no events are kept either).
import type { Config } from '../config/schema.js';
import type { Clock } from '../host/clock.js';
import type { HostFs } from '../host/fs.js';
import { resolveHubConnection } from './hub-config.js';
import { createMqttSink, type HubSink, type SinkLog } from './mqtt-sink.js';
import { openOutbox, type Outbox } from './outbox.js';

export interface Hub {
  sink: HubSink;
  outbox: Outbox;
  /** Flush within timeoutMs, say offline, close the outbox. */
  close(options?: { timeoutMs?: number }): Promise<void>;
}

/** Throws ConfigError for an unusable hub config (plain URL, key readable by others, no device id). */
export async function startHub(config: Config, host: { fs: HostFs; clock: Clock }, log: SinkLog, agentVersion: string): Promise<Hub | undefined> {
  if (!config.hub) return undefined;
  const { connection, warnings } = await resolveHubConnection(config.hub, host.fs);
  for (const warning of warnings) log.warn(`hub: ${warning}`);
  const outbox = await openOutbox(config.outbox.dir, { maxBytes: config.outbox.maxBytes, maxEvents: config.outbox.maxEvents }, { fs: host.fs, clock: host.clock, log });
  const sink = createMqttSink({ connection, outbox, clock: host.clock, log, agentVersion });
  sink.start();
  return {
    sink,
    outbox,
    async close(options) {
      await sink.close(options);
      await outbox.close();
    },
  };
}
