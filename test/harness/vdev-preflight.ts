// One clear message when this machine cannot run virtual edge devices, instead of a pile of
// mount errors: they need root, unshare/nsenter, systemd and cgroup v2.
import { existsSync } from 'node:fs';
import { cgroupRoot } from './vdev-cgroup.js';

let checked: Promise<void> | undefined;

export class DeviceUnavailableError extends Error {}

export function assertCanRunDevices(): Promise<void> {
  checked ??= check();
  return checked;
}

async function check(): Promise<void> {
  const problems: string[] = [];
  if (process.getuid?.() !== 0) problems.push('they need root (run `sudo npm test`)');
  for (const tool of ['/usr/bin/unshare', '/usr/bin/nsenter', '/lib/systemd/systemd', '/usr/bin/dbus-daemon']) {
    if (!existsSync(tool)) problems.push(`${tool} is missing (install util-linux, systemd and dbus)`);
  }
  try {
    cgroupRoot();
  } catch (error) {
    problems.push((error as Error).message);
  }
  if (problems.length > 0) {
    throw new DeviceUnavailableError(`virtual edge devices cannot run here: ${problems.join('; ')}`);
  }
}
