// Installs edge-agent into a virtual device the way the RPM lays it out: the bundle at
// /usr/libexec/edge-agent (a link to the test run's bundle in place: the checkout is visible
// inside every device, see vdev-boot.sh), the /usr/bin/edge-agent launcher, the unit as shipped, the greenboot shims under
// /etc/greenboot/, and optionally a config.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { agentDist } from './agent-build.js';
import { repoRoot } from './bundle.js';
import type { VirtualDevice } from './vdev.js';

// The device's boot id is a file bound over /proc/sys/kernel/random/boot_id. The unit's
// ProtectProc= gives the service a fresh /proc, and ProtectKernelTunables= re-binds /proc/sys:
// either way the service would see the host kernel's boot id. So the harness binds the device's
// copy (vdev-boot.sh) over it again; systemd applies that bind last, inside the sandbox as shipped
// (checked with systemd-run -p ... in a device). Only the virtual device needs this drop-in; a
// real host has one boot id.
export const vdevDropIn =
  "[Service]\n# edge-agent test harness: keep the virtual device's boot id visible (see install-agent.ts)\nBindReadOnlyPaths=/run/edge-vdev/boot_id:/proc/sys/kernel/random/boot_id\n";

// The unit runs the bundle in place from the checkout (through /usr/libexec/edge-agent). Its
// PrivateTmp= and ProtectHome= hide a checkout under /tmp, /var/tmp, /home or /root from the
// daemon, so the harness binds it back in, read-only, for such checkouts only: the daemon of a
// device runs the sandbox as shipped everywhere else.
const hiddenBySandbox = ['/tmp/', '/var/tmp/', '/home/', '/root/', '/run/user/'];
export const checkoutDropIn = hiddenBySandbox.some((dir) => `${repoRoot}/`.startsWith(dir))
  ? `[Service]\n# edge-agent test harness: the daemon runs the bundle from ${repoRoot} (see install-agent.ts)\nBindReadOnlyPaths=${repoRoot}\n`
  : undefined;

export interface InstallAgentOptions {
  /** YAML for /etc/edge-agent/config.yaml. */
  config?: string;
  /** Install the greenboot shims (default true). */
  shims?: boolean;
}

export async function installAgent(device: VirtualDevice, options: InstallAgentOptions = {}): Promise<void> {
  await useAgentBundle(device, agentDist);
  if (options.config !== undefined) await device.writeFile('/etc/edge-agent/config.yaml', options.config);
  await device.writeFile(
    '/etc/systemd/system/edge-agent.service',
    await readFile(join(repoRoot, 'units', 'edge-agent.service')),
  );
  await device.writeFile('/etc/systemd/system/edge-agent.service.d/50-vdev.conf', vdevDropIn);
  if (checkoutDropIn)
    await device.writeFile('/etc/systemd/system/edge-agent.service.d/51-vdev-checkout.conf', checkoutDropIn);
  if (options.shims === false) return;
  for (const dir of ['check/required.d', 'check/wanted.d', 'green.d', 'red.d']) {
    const source = join(repoRoot, 'greenboot', dir);
    for (const name of await readdir(source).catch(() => [] as string[])) {
      await device.writeFile(`/etc/greenboot/${dir}/${name}`, await readFile(join(source, name)), 0o755);
    }
  }
}

/**
 * Make the bundle in `dir` (a directory the device sees) the installed one, for the launcher and
 * for the unit alike: the unit starts /usr/libexec/edge-agent/cli.js itself, with its own Node
 * flags, so pointing only the launcher elsewhere would leave the daemon on another build.
 */
export async function useAgentBundle(device: VirtualDevice, dir: string): Promise<void> {
  await device.sh(`ln -sfn '${dir}' /usr/libexec/edge-agent`);
  await device.writeFile(
    '/usr/bin/edge-agent',
    '#!/bin/sh\nexec /usr/bin/node /usr/libexec/edge-agent/edge-agent.cjs "$@"\n',
    0o755,
  );
}
