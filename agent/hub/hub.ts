// The hub as the daemon uses it: from the config to a started sink over its outbox, or nothing
// when no hub is configured (then no events are kept either).
//
// Certificates are often provisioned after the image is built, so a configured CA, certificate or
// key that does not exist yet is a state, not a failure: the outbox opens and keeps events, the
// daemon does its local work, and the hub connects once the files are there (hub-files-watch.ts).
// A file that exists but is wrong (not PEM, a key that does not belong to the certificate, a key
// others can read) is reported with its path, in the journal and in `status`, and looked at again
// whenever it changes. Only a broker URL the config itself gets wrong stops the daemon.
import type { Config } from '../config/schema.js';
import type { DeviceStatusInput, HubEventBody, HubEventType } from '../core/hub/payloads.js';
import { ConfigError } from '../errors.js';
import type { Clock } from '../host/clock.js';
import type { HostFs } from '../host/fs.js';
import type { Logger } from '../host/logger.js';
import { createIdGenerator } from './event-id.js';
import { checkBrokerUrl, displayUrl, missingTlsFiles, resolveHubConnection } from './hub-config.js';
import { watchFiles, type FilesWatch } from './hub-files-watch.js';
import { createMqttSink, enqueueEvent, type HubSink, type SinkState } from './mqtt-sink.js';
import { openOutbox, type Outbox } from './outbox.js';

/** Where the way to the hub stands; `ready`: the sink runs (see its state for the connection). */
export type HubLink =
  { state: 'ready' } | { state: 'waiting'; path: string } | { state: 'error'; path?: string; message: string };

export interface Hub {
  sink: HubSink;
  outbox: Outbox;
  link(): HubLink;
  /** Flush within timeoutMs, say offline, close the outbox. */
  close(options?: { timeoutMs?: number }): Promise<void>;
}

export interface HubOptions {
  /** Called when the link changes (waiting, error, ready): the daemon rewrites its state then. */
  onLinkChange?: () => void;
  /** Backstop poll for the files while waiting or in error (default 30 s). */
  pollMs?: number;
  /** Quiet time after a change in a watched directory before looking (default 500 ms). */
  settleMs?: number;
  /** false: find the files by the poll alone (default true: inotify too). */
  inotify?: boolean;
}

type HubLog = Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;

/** Throws ConfigError for a hub URL the config gets wrong (plain mqtt:// not allowed, not a URL). */
export async function startHub(
  config: Config,
  host: { fs: HostFs; clock: Clock },
  log: HubLog,
  agentVersion: string,
  options: HubOptions = {},
): Promise<Hub | undefined> {
  const hub = config.hub;
  if (!hub) return undefined;
  checkBrokerUrl(hub.url, hub.allowInsecure, 'edge-agent config', 'hub.url');
  const outbox = await openOutbox(
    config.outbox.dir,
    { maxBytes: config.outbox.maxBytes, maxEvents: config.outbox.maxEvents },
    { fs: host.fs, clock: host.clock, log },
  );
  const newId = createIdGenerator(host.clock);
  const files = { ca: hub.ca, cert: hub.cert, key: hub.key };
  const broker = displayUrl(hub.url);

  // Unset until the first look (done before startHub returns).
  let link: HubLink | undefined;
  let real: HubSink | undefined;
  let status: DeviceStatusInput | undefined;
  let watch: FilesWatch | undefined;
  let closed = false;

  const setLink = (next: HubLink) => {
    const same = JSON.stringify(next) === JSON.stringify(link);
    const first = link === undefined;
    link = next;
    if (same) return;
    if (!first) options.onLinkChange?.();
    // Fields make these structured journal entries: journalctl EDGE_AGENT_EVENT=hub-waiting.
    if (next.state === 'waiting')
      log.info(
        { event: 'hub-waiting', path: next.path },
        `hub: waiting for ${next.path} before connecting to ${broker}; local work goes on`,
      );
    if (next.state === 'error')
      log.error(
        { event: 'hub-file-error', path: next.path },
        `hub: ${next.message}; not connecting to ${broker} until that is fixed`,
      );
  };

  const look = async () => {
    if (closed || real) return;
    const missing = await missingTlsFiles(files, host.fs);
    if (missing.length > 0) return setLink({ state: 'waiting', path: missing[0]! });
    try {
      const { connection, warnings } = await resolveHubConnection(hub, host.fs);
      if (closed) return;
      for (const warning of warnings) log.warn(`hub: ${warning}`);
      real = createMqttSink({ connection, outbox, clock: host.clock, log, agentVersion, newId });
      if (status) real.publishStatus(status);
      real.start();
      watch?.close();
      watch = undefined;
      const before = link;
      link = { state: 'ready' };
      if (before) {
        log.info({ event: 'hub-files-ready' }, `hub: the files are in place now, connecting to ${broker}`);
        options.onLinkChange?.();
      }
    } catch (error) {
      // A file that exists but cannot be used; anything else is not ours to absorb.
      if (!(error instanceof ConfigError)) throw error;
      setLink({ state: 'error', path: error.problems[0]?.file, message: error.message });
    }
  };

  // One look at a time; changes during a look ask for one more.
  let looking: Promise<void> | undefined;
  let again = false;
  const lookSoon = (): void => {
    if (looking) {
      again = true;
      return;
    }
    looking = look()
      .then(async () => {
        if (!real && (await watch?.refresh())) again = true;
      })
      .catch((error: Error) => log.warn(`hub: ${error.message}`))
      .finally(() => {
        looking = undefined;
        if (again && !real && !closed) {
          again = false;
          lookSoon();
        }
      });
  };

  await look();
  if (!real) {
    const paths = [files.cert, files.key, files.ca].filter((p): p is string => p !== undefined);
    watch = await watchFiles({
      fs: host.fs,
      paths,
      onChange: lookSoon,
      pollMs: options.pollMs ?? 30_000,
      settleMs: options.settleMs ?? 500,
      inotify: options.inotify,
    });
    // Files that arrived between the first look and the watch would wait for the poll otherwise.
    lookSoon();
  }

  const waitingState = (): SinkState => ({
    connected: false,
    connects: 0,
    lastError:
      link?.state === 'waiting' ? `waiting for ${link.path}` : link?.state === 'error' ? link.message : undefined,
    published: { events: 0, statuses: 0 },
    payloadBytes: 0,
  });
  const pendingId = hub.deviceId ?? 'pending';
  const sink: HubSink = {
    get deviceId() {
      return real?.deviceId ?? pendingId;
    },
    get topics() {
      return real?.topics ?? { status: '', events: '', online: '' };
    },
    start() {
      // Started by startHub once the files are there.
    },
    report<T extends HubEventType>(type: T, body: HubEventBody<T>, options: { id?: string } = {}) {
      // Before the connection exists events go to the outbox all the same: sent once it does.
      return real
        ? real.report(type, body, options)
        : enqueueEvent({ outbox, clock: host.clock, newId, deviceId: pendingId }, type, body, options.id);
    },
    nextId: () => newId(),
    publishStatus(next) {
      status = next;
      real?.publishStatus(next);
    },
    state: () => real?.state() ?? waitingState(),
    async close(options) {
      closed = true;
      watch?.close();
      await looking;
      await real?.close(options);
    },
  };
  return {
    sink,
    outbox,
    link: () => link ?? { state: 'ready' },
    async close(options) {
      await sink.close(options);
      await outbox.close();
    },
  };
}
