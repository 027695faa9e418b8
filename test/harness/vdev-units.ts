// Units written into every virtual device's /etc/systemd/system before its first boot.
//
// The device boots `edge-device.target`: D-Bus and journald, nothing else of the host's. The
// mask list keeps host-level services from touching the kernel or the host (sysctl, modules,
// kernel file systems) and keeps unrelated host services from starting.
export const baseUnits: Record<string, string> = {
  'edge-device.target': `[Unit]
Description=Virtual edge device
Requires=sysinit.target
Wants=dbus.socket dbus.service systemd-journald.socket systemd-journald.service
After=sysinit.target dbus.service systemd-journald.service
AllowIsolate=yes
`,
};

export const maskedUnits = [
  'systemd-sysctl.service',
  'systemd-modules-load.service',
  'systemd-remount-fs.service',
  'systemd-udevd.service',
  'systemd-udev-trigger.service',
  'systemd-udev-settle.service',
  'systemd-udevd-control.socket',
  'systemd-udevd-kernel.socket',
  'systemd-journald-audit.socket',
  'systemd-pstore.service',
  'systemd-timesyncd.service',
  'systemd-binfmt.service',
  'systemd-random-seed.service',
  'systemd-hwdb-update.service',
  'systemd-firstboot.service',
  'systemd-machine-id-commit.service',
  'systemd-update-utmp.service',
  'systemd-logind.service',
  'sys-kernel-debug.mount',
  'sys-kernel-tracing.mount',
  'sys-kernel-config.mount',
  'sys-fs-fuse-connections.mount',
  'dev-hugepages.mount',
  'proc-sys-fs-binfmt_misc.automount',
  'getty@tty1.service',
  'console-getty.service',
  'postgresql.service',
  'mosquitto.service',
  'e2scrub_reap.service',
  'e2scrub_all.timer',
  'apt-daily.timer',
  'apt-daily-upgrade.timer',
  'dpkg-db-backup.timer',
  'fstrim.timer',
  'man-db.timer',
  'remote-fs.target',
];
