// `edge-agent hub`: the fleet hub service (edge-agent-hub.service). Runs until SIGTERM; the
// work lives in commands/hub/.
import { resolve } from 'node:path';
import { ExitCode } from '../../exit-codes.js';
import { defaultHubServiceConfigPath, loadHubServiceConfig } from './hub-service-config.js';
import { startHubService } from './service.js';
import type { CommandMain } from '../types.js';

export const main: CommandMain = async ({ flags }, { host, log, out, signal }) => {
  const file = typeof flags.config === 'string' ? resolve(process.cwd(), flags.config) : defaultHubServiceConfigPath;
  const config = await loadHubServiceConfig(host.fs, file);
  if (flags.check === true) {
    out(
      `${file}: valid (${config.store.kind} store, broker ${config.broker.url}, http ${config.http.host}:${config.http.port})\n`,
    );
    return ExitCode.Ok;
  }
  const service = await startHubService(config, { fs: host.fs, log, file });
  out(`edge-agent hub: listening on ${service.httpUrl}\n`);
  if (!signal.aborted) await new Promise((done) => signal.addEventListener('abort', done, { once: true }));
  await service.close();
  return ExitCode.Ok;
};
