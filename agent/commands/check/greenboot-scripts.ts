// greenboot's check scripts as greenboot finds them: `*.sh`, recursively, under the required.d
// and wanted.d directories of /usr/lib/greenboot/check and /etc/greenboot/check.
import type { HostFs } from '../../host/fs.js';

export const CHECK_DIRS = [
  '/usr/lib/greenboot/check/required.d',
  '/usr/lib/greenboot/check/wanted.d',
  '/etc/greenboot/check/required.d',
  '/etc/greenboot/check/wanted.d',
];

/** Basenames of every check script, the names DISABLED_HEALTHCHECKS refers to. */
export async function scriptNames(fs: HostFs): Promise<string[]> {
  const names: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    for (const entry of await fs.list(dir)) {
      const path = `${dir}/${entry}`;
      const info = await fs.info(path);
      if (info?.isDirectory && depth < 8) await walk(path, depth + 1);
      else if (entry.endsWith('.sh')) names.push(entry);
    }
  };
  for (const dir of CHECK_DIRS) await walk(dir, 0);
  return names;
}
