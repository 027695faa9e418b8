// Builds the edge-agent bundle for a test run, the same build as `npm run build`, and publishes
// it at build/dist (a symlink) that devices run. Each build goes to its own directory and the
// link is swapped atomically, so devices of a concurrent test run never see half a bundle.
import { execa } from 'execa';
import { lstat, readdir, rename, rm, stat, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from './bundle.js';

export const agentDist = join(repoRoot, 'build', 'dist');

export async function buildAgent(): Promise<string> {
  const name = `dist-${process.pid}-${Date.now()}`;
  const outdir = join(repoRoot, 'build', name);
  await execa('node', [join(repoRoot, 'packaging', 'build.mjs')], { env: { EDGE_AGENT_OUTDIR: outdir } });
  const link = join(repoRoot, 'build', `.dist-link-${process.pid}`);
  await rm(link, { force: true });
  await symlink(name, link);
  // A real directory from an older harness version cannot be replaced by rename: remove it.
  if (await lstat(agentDist).then((s) => !s.isSymbolicLink(), () => false)) await rm(agentDist, { recursive: true, force: true });
  await rename(link, agentDist);
  await removeOldBuilds(name);
  return join(agentDist, 'cli.js');
}

/** Builds older than an hour are no longer run by any device. */
async function removeOldBuilds(current: string): Promise<void> {
  const dir = join(repoRoot, 'build');
  for (const entry of await readdir(dir)) {
    if (!entry.startsWith('dist-') || entry === current) continue;
    const age = Date.now() - (await stat(join(dir, entry))).mtimeMs;
    if (age > 3_600_000) await rm(join(dir, entry), { recursive: true, force: true });
  }
}
