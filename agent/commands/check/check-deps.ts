// What the runnable checks use from the host: the adapters of the one Host (main.ts builds it),
// so every check of a run shares one D-Bus connection and one keep-alive API connection. The costly
// clients are plain async getters here, so a test can hand a check its fake directly.
import type { Host } from '../../host/host.js';
import type { Logger } from '../../host/log.js';
import type { MicroShiftApi } from '../../host/microshift-api.js';
import type { Systemd } from '../../host/systemd.js';

export interface CheckDeps extends Pick<Host, 'clock' | 'exec' | 'fs'> {
  log: Logger;
  systemd: () => Promise<Systemd>;
  microshift: () => Promise<MicroShiftApi>;
}
