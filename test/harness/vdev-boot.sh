#!/bin/bash
# Boots one virtual edge device. Runs as PID 1 of a fresh PID, mount, UTS and cgroup namespace
# (made by vdev.ts with unshare) and ends by exec'ing the host's real systemd as PID 1.
#
# What it simulates: the root file system of an edge host. `/` of the host is the lower layer of
# an overlay; every write lands in the device's upper layer (a directory under /tmp on the host),
# which persists across simulated reboots, so /etc, /var and /boot behave like a disk. /run and
# /tmp are fresh tmpfs on every boot, as on a real host. The host file system is never written.
#
# Arguments: STATE_DIR HOSTNAME BOOT_ID NET(0|1) SYSTEM_NODE [CHECKOUT]
# SYSTEM_NODE: the Node.js binary the device sees as /usr/bin/node (see DeviceOptions.systemNode).
# CHECKOUT: the harness's repository, which devices run bundles from in place. The overlay shows
# it at the same path unless it lives under /tmp or /run, which the fresh mounts below hide: then
# it is bound in read-only at the same path (a private one entry by entry, see below).
set -euo pipefail
STATE=$1 NAME=$2 BOOT_ID=$3 NET=$4 SYSTEM_NODE=$5 CHECKOUT=${6:-}
M=$STATE/merged

# Nothing we mount may leak back to the host.
mount --make-rprivate /
# The host's own edge-agent state must not show through as the device's (a boot record of the
# host would appear in every device's history): a whiteout in the upper layer hides the host's
# directory, and creating it again through the overlay makes an empty, opaque one.
HIDDEN=(var/lib/edge-agent etc/edge-agent)
for d in "${HIDDEN[@]}"; do
  if [ -e "/$d" ] && [ ! -e "$STATE/upper/$d" ] && [ ! -L "$STATE/upper/$d" ]; then
    mkdir -p "$(dirname "$STATE/upper/$d")"
    mknod "$STATE/upper/$d" c 0 0
  fi
done
mount -t overlay overlay -o "lowerdir=/,upperdir=$STATE/upper,workdir=$STATE/work" "$M"
for d in "${HIDDEN[@]}"; do
  if [ -c "$STATE/upper/$d" ]; then mkdir -p "$M/$d"; fi
done

# The device's system Node.js is the one the tests run under (see DeviceOptions.systemNode).
if [ "$SYSTEM_NODE" != /usr/bin/node ]; then mount --bind "$SYSTEM_NODE" "$M/usr/bin/node"; fi

mount -t proc proc "$M/proc"
# A fresh boot id per boot: journald, our agent and the per-boot records all key on it.
printf '%s\n' "$BOOT_ID" > "$STATE/boot/boot_id"
mount --bind "$STATE/boot/boot_id" "$M/proc/sys/kernel/random/boot_id"
# The host's /sys, read-only, with a private cgroup2 tree (the device's own cgroup namespace).
mount --rbind /sys "$M/sys"
mount -o remount,bind,ro "$M/sys"
mount -t cgroup2 cgroup2 "$M/sys/fs/cgroup"

# A minimal /dev: only harmless nodes of the host, a private devpts.
mount -t tmpfs -o mode=755,nosuid tmpfs "$M/dev"
for d in null zero full random urandom tty; do
  touch "$M/dev/$d"; mount --bind "/dev/$d" "$M/dev/$d"
done
mkdir -p "$M/dev/pts" "$M/dev/shm" "$M/dev/mqueue"
mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$M/dev/pts"
ln -s pts/ptmx "$M/dev/ptmx"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$M/dev/shm"
touch "$M/dev/console"; mount --bind "$STATE/boot/console" "$M/dev/console"
ln -s /proc/self/fd "$M/dev/fd"
ln -s /proc/self/fd/0 "$M/dev/stdin"; ln -s /proc/self/fd/1 "$M/dev/stdout"; ln -s /proc/self/fd/2 "$M/dev/stderr"

mount -t tmpfs -o mode=755,nosuid,nodev tmpfs "$M/run"
# The boot id once more as a plain file: a sandboxed service gets a fresh /proc (ProtectProc=,
# ProtectKernelTunables=) without the bind above, and binds this one back in (install-agent.ts).
mkdir -p "$M/run/edge-vdev"
cp "$STATE/boot/boot_id" "$M/run/edge-vdev/boot_id"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$M/tmp"
bind_ro() {
  mount --bind "$1" "$2"
  mount -o remount,bind,ro "$2"
}
case "$CHECKOUT" in
  /tmp/* | /run/*)
    mkdir -p "$M$CHECKOUT"
    if [ $((0$(stat -c '%a' "$CHECKOUT") & 1)) = 1 ]; then
      bind_ro "$CHECKOUT" "$M$CHECKOUT"
    else
      # A private checkout (`mktemp -d` makes 0700): a bind keeps that mode and, read-only, cannot
      # be given o+x (below), so ordinary users could not reach the bundle. The device gets a
      # searchable directory of its own instead, with each entry of the checkout bound into it
      # (those that exist now: the build has made build/ and dist/ before any device boots).
      chmod 755 "$M$CHECKOUT"
      entries=()
      for entry in "$CHECKOUT"/* "$CHECKOUT"/.[!.]* "$CHECKOUT"/..?*; do
        target=$M$CHECKOUT/${entry##*/}
        if [ -L "$entry" ]; then
          cp -P "$entry" "$target"
        elif [ -d "$entry" ]; then
          mkdir "$target" && entries+=("$entry")
        elif [ -e "$entry" ]; then
          : >"$target" && entries+=("$entry")
        fi # else an unmatched glob
      done
      # Read-only like the bind it replaces: a write there is refused, not kept in the device.
      bind_ro "$M$CHECKOUT" "$M$CHECKOUT"
      for entry in "${entries[@]}"; do bind_ro "$entry" "$M$CHECKOUT/${entry##*/}"; done
    fi
    ;;
esac
# Ordinary users in the device run the bundle from the checkout too (`status` as a non-root user),
# so every directory above it must be searchable by others. A clone in a private directory
# (`mktemp -d` makes 0700, so is /root) is made searchable in the device only: on the overlay the
# change is a copy-up into the upper layer, and the fresh /tmp's directories are the device's own.
# The host's directories keep their modes.
if [ -n "$CHECKOUT" ]; then
  d=$CHECKOUT
  while [ "$d" != / ]; do
    if [ -d "$M$d" ] && [ ! -L "$M$d" ] && [ $((0$(stat -c '%a' "$M$d") & 1)) = 0 ]; then
      chmod o+x "$M$d" 2>/dev/null || true
    fi
    d=$(dirname "$d")
  done
fi
# ostree-booted systems have this marker; the device is one unless told otherwise.
if [ -e "$STATE/ostree-booted" ]; then touch "$M/run/ostree-booted"; fi

hostname "$NAME"
if [ "$NET" = 1 ]; then ip link set lo up; fi

mkdir -p "$M/.oldroot"
cd "$M"
pivot_root . .oldroot
umount -l /.oldroot
rmdir /.oldroot 2>/dev/null || true

exec env -i container=edge-vdev TERM=dumb /lib/systemd/systemd --log-level=info
