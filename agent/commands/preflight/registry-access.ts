// Whether this device is meant to run without registry access. We do not probe a registry: a
// connection that works now says nothing about the site the next boot happens at, and on a
// disconnected site every probe costs a timeout. Instead we read the configuration an air-gapped
// MicroShift install is documented to have: registry mirrors in containers-registries.conf(5)
// (`[[registry.mirror]]`), which point image pulls at a local mirror instead of the internet.
import { mirrorHosts } from '../../core/readiness/mirrors.js';
import type { HostFs } from '../../host/fs.js';

const MAIN = '/etc/containers/registries.conf';
const DROP_INS = '/etc/containers/registries.conf.d';

export async function detectRegistryAccess(fs: HostFs): Promise<{ noRegistry: boolean; why: string }> {
  const files = [MAIN, ...(await fs.list(DROP_INS)).filter((n) => n.endsWith('.conf')).map((n) => `${DROP_INS}/${n}`)];
  for (const file of files) {
    const text = await fs.readText(file).catch(() => undefined);
    if (text && mirrorHosts(text).length > 0)
      return { noRegistry: true, why: `${file} configures a registry mirror (an air-gapped setup)` };
  }
  return { noRegistry: false, why: 'no registry mirror is configured in /etc/containers' };
}
