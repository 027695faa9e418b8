// Bundles the rpm-ostree stand-in (cli.ts and what it imports) into one .mjs file that the
// device's /usr/bin/rpm-ostree runs with the host's node (the repo is visible inside devices).
// Rebuilt only when a source in this directory is newer; written to a temp file and renamed, so
// test workers building at the same time never run a half-written bundle.
import { build } from 'esbuild';
import { mkdir, readdir, rename, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..', '..');
export const rpmOstreeBundle = join(repo, 'build', 'harness', 'rpm-ostree.mjs');

export async function buildRpmOstree(): Promise<string> {
  const built = await stat(rpmOstreeBundle)
    .then((s) => s.mtimeMs)
    .catch(() => 0);
  const sources = (await readdir(here)).filter((name) => name.endsWith('.ts'));
  const newest = Math.max(...(await Promise.all(sources.map(async (name) => (await stat(join(here, name))).mtimeMs))));
  if (built >= newest) return rpmOstreeBundle;
  await mkdir(dirname(rpmOstreeBundle), { recursive: true });
  const temp = `${rpmOstreeBundle}.${process.pid}.tmp`;
  await build({
    entryPoints: [join(here, 'cli.ts')],
    outfile: temp,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    logLevel: 'warning',
  });
  await rename(temp, rpmOstreeBundle);
  return rpmOstreeBundle;
}
