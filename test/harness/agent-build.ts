// Builds the edge-agent bundle once per test run into build/dist/ (the same build as
// `npm run build`, kept apart from dist/ so a test run never races a developer's build).
import { execa } from 'execa';
import { join } from 'node:path';
import { repoRoot } from './bundle.js';

export const agentDist = join(repoRoot, 'build', 'dist');

export async function buildAgent(): Promise<string> {
  await execa('node', [join(repoRoot, 'packaging', 'build.mjs')], { env: { EDGE_AGENT_OUTDIR: agentDist } });
  return join(agentDist, 'cli.js');
}
