// Wires the hub service together: the store chosen by config, the broker consumer, the HTTP
// server and the retention timer. Start order matters: the store first (migrations), HTTP next
// (answers while the broker is still sending the retained backlog), the consumer last.
import { ConfigError } from '../../errors.js';
import type { HostFs } from '../../host/fs.js';
import type { Logger } from '../../host/logger.js';
import { checkBrokerUrl, readTlsMaterial } from '../../hub/hub-config.js';
import { HubStore } from '../../hub/store.js';
import type { Sql } from '../../hub/store-sql.js';
import { startConsumer, type Consumer } from './consumer.js';
import type { HubServiceConfig } from './hub-service-config.js';
import { startHttp } from './http-server.js';

export interface HubService {
  httpUrl: string;
  store: HubStore;
  consumer: Consumer;
  close(): Promise<void>;
}

export async function openStore(config: HubServiceConfig['store'], now: number): Promise<HubStore> {
  let sql: Sql;
  if (config.kind === 'sqlite') sql = (await import('../../hub/store-sqlite.js')).openSqlite(config.path);
  else
    sql = (await import('../../hub/store-pg.js')).openPostgres(config.url, { maxConnections: config.maxConnections });
  try {
    return await HubStore.open(sql, now);
  } catch (error) {
    await sql.close().catch(() => undefined);
    throw error;
  }
}

export async function startHubService(
  config: HubServiceConfig,
  deps: { fs: HostFs; log: Logger; file: string; now?: () => number },
): Promise<HubService> {
  const now = deps.now ?? Date.now;
  checkBrokerUrl(config.broker.url, config.broker.allowInsecure, deps.file, 'broker.url', 'broker.allowInsecure');
  const tls = await readTlsMaterial(
    { ca: config.broker.ca, cert: config.broker.cert, key: config.broker.key },
    deps.fs,
    (name) => `broker.${name}`,
  );
  const httpTls =
    config.http.cert && config.http.key
      ? await readTlsMaterial({ cert: config.http.cert, key: config.http.key }, deps.fs, (name) => `http.${name}`)
      : undefined;
  const deviceCa = config.http.deviceCa
    ? (await readTlsMaterial({ ca: config.http.deviceCa }, deps.fs, () => 'http.deviceCa')).ca
    : undefined;
  const token = config.http.tokenFile ? await readToken(config.http.tokenFile, deps.fs) : undefined;
  const store = await openStore(config.store, now());
  const cleanups: Array<() => Promise<void>> = [() => store.close()];
  const closeAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const http = await startHttp(
      {
        host: config.http.host,
        port: config.http.port,
        tls: httpTls?.cert && httpTls.key ? { cert: httpTls.cert, key: httpTls.key.reveal(), deviceCa } : undefined,
        token,
        bundles: config.bundles,
      },
      store,
      now,
    );
    cleanups.push(() => http.close());
    deps.log.info(`dashboard and API on ${http.url} (${config.store.kind} store)`);
    const consumer = await startConsumer(config.broker, tls, store, config.limits, deps.log, now);
    cleanups.push(() => consumer.close());
    const prune = async () => {
      const pruned = await store.prune(config.retention, now());
      if (pruned.byAge + pruned.byCount > 0)
        deps.log.info(
          `retention: pruned ${pruned.byCount} events over the per-device limit and ${pruned.byAge} older than ${config.retention.maxAgeDays} days`,
        );
    };
    const timer = setInterval(
      () => void prune().catch((error: Error) => deps.log.warn(`retention failed: ${error.message}`)),
      config.retention.pruneEverySec * 1000,
    );
    timer.unref();
    cleanups.splice(1, 0, async () => clearInterval(timer));
    return { httpUrl: http.url, store, consumer, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** The bearer token: private to the service (like a key), and long enough not to be guessed. */
async function readToken(file: string, fs: HostFs): Promise<string> {
  const problem = (message: string, expected: string) =>
    new ConfigError([{ file, path: 'http.tokenFile', message, expected }]);
  const info = await fs.info(file);
  if (!info) throw problem('the token file does not exist', 'a file holding a random token, e.g. openssl rand -hex 32');
  if ((info.mode & 0o077) !== 0)
    throw problem(
      `the token file is readable by group or others (mode ${(info.mode & 0o777).toString(8).padStart(4, '0')})`,
      `mode 0600 or 0400 (chmod 600 ${file})`,
    );
  const token = (await fs.readText(file))?.trim() ?? '';
  if (token.length < 16 || /\s/.test(token))
    throw problem(
      'the token is shorter than 16 characters or contains spaces',
      'one random token of at least 16 characters, e.g. openssl rand -hex 32',
    );
  return token;
}
