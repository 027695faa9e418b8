// Where virtual devices get their cgroups on this host, and how they are removed.
import { existsSync } from 'node:fs';
import { readdir, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The host's cgroup v2 tree: /sys/fs/cgroup on unified hosts, /sys/fs/cgroup/unified on hybrid. */
export function cgroupRoot(): string {
  if (existsSync('/sys/fs/cgroup/cgroup.controllers')) return '/sys/fs/cgroup';
  if (existsSync('/sys/fs/cgroup/unified/cgroup.controllers')) return '/sys/fs/cgroup/unified';
  throw new Error('no cgroup v2 hierarchy found under /sys/fs/cgroup: the virtual edge device needs one');
}

/** Kill every process left in a device's cgroup (cgroup.kill, kernel 5.14+). */
export async function killCgroup(path: string): Promise<void> {
  if (!path || !existsSync(join(path, 'cgroup.kill'))) return;
  await writeFile(join(path, 'cgroup.kill'), '1').catch(() => undefined);
}

/** Remove a cgroup and everything systemd created below it, deepest first. */
export async function removeCgroup(path: string): Promise<void> {
  if (!path || !existsSync(path)) return;
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      await removeTree(path);
      return;
    } catch {
      // Processes still exiting keep the cgroup busy for a moment.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  await removeTree(path);
}

async function removeTree(path: string): Promise<void> {
  const entries = await readdir(path, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) if (entry.isDirectory()) await removeTree(join(path, entry.name));
  await rmdir(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}
