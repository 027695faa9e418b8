// Builds the edge-agent bundle for a test run, the same build as `npm run build`, and publishes
// it at build/dist (a symlink) that devices run. Each build goes to its own directory and the
// link is swapped atomically, so devices of a concurrent test run never see half a bundle.
import { execa } from 'execa';
import { lstat, readdir, readFile, realpath, rename, rm, stat, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from './bundle.js';

export const agentDist = join(repoRoot, 'build', 'dist');

export async function buildAgent(): Promise<string> {
  const name = `dist-${process.pid}-${Date.now()}`;
  const outdir = join(repoRoot, 'build', name);
  await execa('node', [join(repoRoot, 'packaging', 'build.mjs')], {
    env: { EDGE_AGENT_OUTDIR: outdir, EDGE_AGENT_METAFILE: `${outdir}.meta.json` },
  });
  const link = join(repoRoot, 'build', `.dist-link-${process.pid}`);
  await rm(link, { force: true });
  await symlink(name, link);
  // A real directory from an older harness version cannot be replaced by rename: remove it.
  if (
    await lstat(agentDist).then(
      (s) => !s.isSymbolicLink(),
      () => false,
    )
  )
    await rm(agentDist, { recursive: true, force: true });
  await rename(link, agentDist);
  await removeOldBuilds(name);
  return join(agentDist, 'cli.js');
}

/** esbuild's metafile of the published build (what each output holds and imports; paths relative to the repository). */
export async function agentMetafile(): Promise<Metafile> {
  const dir = await realpath(agentDist);
  return JSON.parse(await readFile(`${dir}.meta.json`, 'utf8')) as Metafile;
}

export interface Metafile {
  outputs: Record<
    string,
    { imports: { path: string; kind: string }[]; inputs: Record<string, { bytesInOutput: number }> }
  >;
}

/** Builds (and their metafiles) older than an hour are no longer run by any device. */
async function removeOldBuilds(current: string): Promise<void> {
  const dir = join(repoRoot, 'build');
  for (const entry of await readdir(dir)) {
    if (!entry.startsWith('dist-') || entry === current || entry === `${current}.meta.json`) continue;
    const age = Date.now() - (await stat(join(dir, entry))).mtimeMs;
    if (age > 3_600_000) await rm(join(dir, entry), { recursive: true, force: true });
  }
}
