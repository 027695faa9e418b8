// Finds files on the host written after a marker, outside the places a virtual device may use
// (/tmp holds device disks; /proc, /sys, /dev, /run are not disks). Paths the test process
// itself writes on the host (the repo's build/ output, vitest's cache) are passed as ignored.
//
// A file that a live process holds open for writing when the scan runs is someone else's output
// (the CI runner's own log beside the checkout, a terminal's tee): the device is disposed by then,
// so none of its processes can hold anything open. Such files are reported apart, not as writes.
//
// So is a file inside another git checkout on the machine (a developer's edits and commits while
// the suite runs, as on a shared build machine): a device could only write there by a leak through
// its overlay or a bind mount, and such a leak is not particular to one path: the test writes
// through each of the device's mounts on purpose (/etc, /usr, /var, /boot, the repo, /root) and
// those targets, and this checkout itself, stay fully checked.
import { existsSync } from 'node:fs';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { execa } from 'execa';

export const allowedRoots = ['/tmp', '/proc', '/sys', '/dev', '/run'];

export interface HostWrites {
  writes: string[];
  heldOpen: string[];
  /** In another git checkout than `ownCheckout`. */
  otherCheckouts: string[];
}

export async function findHostWrites(
  marker: string,
  ignored: string[] = [],
  ownCheckout?: string,
): Promise<HostWrites> {
  const prune = [...allowedRoots, ...ignored].flatMap((path) => ['-path', path, '-o']).slice(0, -1);
  const result = await execa('find', ['/', '-xdev', '(', ...prune, ')', '-prune', '-o', '-newer', marker, '-print'], {
    reject: false,
  });
  const found = String(result.stdout)
    .split('\n')
    .filter((line) => line && line !== '/');
  const open = await filesOpenForWriting();
  const elsewhere = found.filter((path) => !open.has(path) && inOtherCheckout(path, ownCheckout));
  return {
    writes: found.filter((path) => !open.has(path) && !elsewhere.includes(path)),
    heldOpen: found.filter((path) => open.has(path)),
    otherCheckouts: elsewhere,
  };
}

/** Whether `path` is in a git checkout (a directory with .git, or a .git itself) other than `own`. */
export function inOtherCheckout(path: string, own?: string): boolean {
  if (own && (path === own || path.startsWith(`${own}/`))) return false;
  for (let dir = path; dir !== '/' && dir !== '.'; dir = dirname(dir)) {
    if (dir.endsWith('/.git') || existsSync(`${dir}/.git`)) return true;
  }
  return false;
}

// O_WRONLY is 01 and O_RDWR 02 in the octal `flags:` line of /proc/<pid>/fdinfo/<fd>.
export async function filesOpenForWriting(): Promise<Set<string>> {
  const open = new Set<string>();
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = await readdir(`/proc/${pid}/fd`);
    } catch {
      continue; // gone, or not ours to read
    }
    for (const fd of fds) {
      try {
        const [target, info] = await Promise.all([
          readlink(`/proc/${pid}/fd/${fd}`),
          readFile(`/proc/${pid}/fdinfo/${fd}`, 'utf8'),
        ]);
        const flags = /^flags:\s*([0-7]+)/m.exec(info)?.[1];
        if (target.startsWith('/') && flags && (parseInt(flags, 8) & 0o3) !== 0) open.add(target);
      } catch {
        // the descriptor closed between readdir and readlink
      }
    }
  }
  return open;
}
