// FIPS mode inputs: whether this is an ostree-booted host, and the kernel's FIPS flag.
import type { FipsInput } from '../core/readiness/fips.js';
import type { HostFs } from './fs.js';

export const FIPS_FLAG = '/proc/sys/crypto/fips_enabled';

export async function readFipsInput(fs: Pick<HostFs, 'exists' | 'readText'>): Promise<FipsInput> {
  const [ostreeBooted, fipsEnabled] = await Promise.all([
    fs.exists('/run/ostree-booted'),
    fs.readText(FIPS_FLAG).catch(() => undefined),
  ]);
  return { ostreeBooted, fipsEnabled };
}
