// Finds files on the host written after a marker, outside the places a virtual device may use
// (/tmp holds device disks; /proc, /sys, /dev, /run are not disks). Paths the test process
// itself writes on the host (the repo's build/ output, vitest's cache) are passed as ignored.
import { execa } from 'execa';

export const allowedRoots = ['/tmp', '/proc', '/sys', '/dev', '/run'];

export async function findHostWrites(marker: string, ignored: string[] = []): Promise<string[]> {
  const prune = [...allowedRoots, ...ignored].flatMap((path) => ['-path', path, '-o']).slice(0, -1);
  const result = await execa('find', ['/', '-xdev', '(', ...prune, ')', '-prune', '-o', '-newer', marker, '-print'], {
    reject: false,
  });
  return String(result.stdout)
    .split('\n')
    .filter((line) => line && line !== '/');
}
