// GRUB's side of a virtual device: its grubenv at RHEL's path and RHEL's `grub2-editenv` name.
//
// Simulates: /boot/grub2/grubenv (a plain file; on UEFI hosts it is often a link into the ESP,
// which is left out) and /usr/bin/grub2-editenv, a wrapper around the host's real Debian
// `grub-editenv` that uses RHEL's default file for `-` and when no file is given. Leaves out:
// grub.cfg, kernels, RHEL's extra `incr` command; BLS entries are the rpm-ostree stand-in's.
import type { VirtualDevice } from '../vdev.js';
import { createGrubenv, type Grubenv } from './grubenv.js';
import { join } from 'node:path';

export const grubenvInside = '/boot/grub2/grubenv';

const editenvWrapper = `#!/bin/sh
# grub2-editenv as on RHEL (simulated by the edge-agent test harness): the host's Debian
# grub-editenv under RHEL's name, with RHEL's default file /boot/grub2/grubenv where Debian's
# tool would use /boot/grub/grubenv. Like grub's own parser: with one argument left it is the
# command and the file is the default ("grub2-editenv list", as greenboot calls it); with more,
# the first is the file, "-" meaning the default.
opts=""
while [ $# -gt 0 ]; do
  case "$1" in
    -v|--verbose) opts="$opts $1"; shift ;;
    *) break ;;
  esac
done
if [ $# -eq 1 ]; then
  set -- /boot/grub2/grubenv "$1"
elif [ "$1" = "-" ]; then
  shift
  set -- /boot/grub2/grubenv "$@"
fi
exec grub-editenv $opts "$@"
`;

/**
 * The device's file system as seen from the host: through PID 1's root while it runs, else its
 * disk (the overlay's upper dir), which may be edited only while the overlay is not mounted.
 */
export function deviceRoot(device: VirtualDevice): string {
  return device.pid > 0 && !device.halted ? device.root : join(device.stateDir, 'upper');
}

export function deviceGrubenv(device: VirtualDevice): string {
  return join(deviceRoot(device), grubenvInside);
}

/** Write grub2-editenv and a fresh grubenv into the device (made with the real tool). */
export async function installGrub(device: VirtualDevice, vars: Grubenv = {}): Promise<void> {
  await device.writeFile('/usr/bin/grub2-editenv', editenvWrapper, 0o755);
  await createGrubenv(deviceGrubenv(device), vars);
}
