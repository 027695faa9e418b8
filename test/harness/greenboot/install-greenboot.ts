// Installs the greenboot stand-in (root/, laid out like its install paths) into a virtual device,
// as an image would ship it: scripts, units, directories, greenboot.conf, and the boot wiring.
//
// Simulates: bash greenboot 0.15.8+ (RHEL 9) or, with implementation 'rs', what lets an agent tell
// greenboot-rs 0.16 apart: greenboot-set-rollback-trigger.service instead of
// greenboot-grub2-set-counter.service, the counter set only after the first failed boot, and
// greenboot_next_deployment_id / fallback in the grubenv. Leaves out greenboot-rs's own runner
// (INI conf, exec-bit scripts, output captured after exit), its MOTD, and greenboot-status.
import { existsSync } from 'node:fs';
import { readdir, readFile, stat, symlink } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { VirtualDevice } from '../vdev.js';
import { grubenvInside, installGrub } from '../grub/device-grub.js';
import { installRpmOstree } from '../rpm-ostree/device-rpm-ostree.js';
import { stateFileInside } from '../rpm-ostree/state.js';
import { defaultMaxBootAttempts, renderGreenbootConf } from './greenboot-conf.js';

export type GreenbootImplementation = 'bash' | 'rs';

export interface GreenbootOptions {
  implementation?: GreenbootImplementation;
  /** Written to /etc/greenboot/greenboot.conf as GREENBOOT_MAX_BOOT_ATTEMPTS. */
  maxBootAttempts?: number;
}

const sourceRoot = join(dirname(fileURLToPath(import.meta.url)), 'root');
const onlyIn: Record<string, GreenbootImplementation> = {
  'etc/systemd/system/greenboot-grub2-set-counter.service': 'bash',
  'usr/libexec/greenboot/greenboot-grub2-set-counter': 'bash',
  'etc/systemd/system/greenboot-set-rollback-trigger.service': 'rs',
  'usr/libexec/greenboot/greenboot-set-rollback-trigger': 'rs',
};
// The device boots edge-device.target, not multi-user.target: greenboot's WantedBy= goes there.
const bootUnits = [
  'greenboot-sim-keep-journal.service',
  'greenboot-rpm-ostree-grub2-check-fallback.service',
  'greenboot-healthcheck.service',
  'greenboot-grub2-set-success.service',
  'greenboot-task-runner.service',
];
const scriptDirs = ['check/required.d', 'check/wanted.d', 'green.d', 'red.d'];

export async function installGreenboot(device: VirtualDevice, options: GreenbootOptions = {}): Promise<void> {
  const implementation = options.implementation ?? 'bash';
  if (!device.exists(grubenvInside)) await installGrub(device);
  if (!device.exists(stateFileInside)) await installRpmOstree(device);
  for (const file of await listFiles(sourceRoot)) {
    const inside = relative(sourceRoot, file);
    const only = onlyIn[inside];
    if (only && only !== implementation) continue;
    await device.writeFile(`/${inside}`, await readFile(file), (await stat(file)).mode & 0o777);
  }
  for (const prefix of ['/usr/lib/greenboot', '/etc/greenboot']) {
    await device.sh(scriptDirs.map((dir) => `mkdir -p ${prefix}/${dir}`).join(' && '));
  }
  await device.writeFile(
    '/etc/greenboot/greenboot.conf',
    renderGreenbootConf(options.maxBootAttempts ?? defaultMaxBootAttempts),
  );
  const links: Array<[string, string]> = bootUnits.map((unit) => [`edge-device.target.wants/${unit}`, unit]);
  links.push(['boot-complete.target.requires/greenboot-healthcheck.service', 'greenboot-healthcheck.service']);
  // Bash greenboot's counter is set when ostree-finalize-staged starts, i.e. at staging.
  if (implementation === 'bash')
    links.push([
      'ostree-finalize-staged.service.requires/greenboot-grub2-set-counter.service',
      'greenboot-grub2-set-counter.service',
    ]);
  if (implementation === 'rs') {
    links.push([
      'redboot.target.wants/greenboot-set-rollback-trigger.service',
      'greenboot-set-rollback-trigger.service',
    ]);
    await device.writeFile('/usr/lib/greenboot-sim/implementation-rs', '');
    // A good boot ends the trial of the next deployment too (simulated greenboot-rs grubenv shape).
    await device.writeFile(
      '/etc/systemd/system/greenboot-grub2-set-success.service.d/greenboot-rs.conf',
      '[Service]\nExecStart=/usr/bin/grub2-editenv - unset greenboot_next_deployment_id\n',
    );
  }
  for (const [link, unit] of links) {
    const path = device.path(`/etc/systemd/system/${link}`);
    await device.sh(`mkdir -p ${dirname(`/etc/systemd/system/${link}`)}`);
    if (!existsSync(path)) await symlink(`../${unit}`, path);
  }
  await device.sh('systemctl daemon-reload');
  // Greenboot was not part of this boot; keep its journal anyway, so its summary can be read.
  await device.sh('systemctl start greenboot-sim-keep-journal.service');
}

/** Which greenboot the device has, told apart the way an agent would: by unit presence. */
export function detectImplementation(root: string): GreenbootImplementation | undefined {
  if (existsSync(join(root, 'etc/systemd/system/greenboot-grub2-set-counter.service'))) return 'bash';
  if (existsSync(join(root, 'etc/systemd/system/greenboot-set-rollback-trigger.service'))) return 'rs';
  return undefined;
}

/** Put a script into one of greenboot's directories, e.g. ('check/required.d', '50-x.sh', body). */
export async function writeGreenbootScript(
  device: VirtualDevice,
  dir: string,
  name: string,
  body: string,
  prefix = '/etc/greenboot',
): Promise<string> {
  const inside = `${prefix}/${dir}/${name}`;
  await device.writeFile(inside, body.startsWith('#!') ? body : `#!/bin/bash\n${body}\n`, 0o755);
  return inside;
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)])),
  );
  return nested.flat();
}
