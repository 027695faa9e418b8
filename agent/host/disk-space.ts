// Free space of a file system, through statfs(2) on a (re-rootable) host path.
import { stat, statfs } from 'node:fs/promises';
import type { HostFs } from './fs.js';

export interface DiskSpace {
  /** Bytes an unprivileged writer may still use (f_bavail); undefined when the path does not exist. */
  freeBytes: number | undefined;
  /** st_dev of the path: two paths on one file system share the same free space. */
  device: number | undefined;
}

export async function readDiskSpace(fs: HostFs, path: string): Promise<DiskSpace> {
  const real = fs.resolve(path);
  try {
    const [s, st] = await Promise.all([statfs(real), stat(real)]);
    return { freeBytes: s.bavail * s.bsize, device: st.dev };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { freeBytes: undefined, device: undefined };
    throw error;
  }
}
