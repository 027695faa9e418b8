// Benchmark: what edge-agent adds to an image. For each RPM `npm run rpm` builds (edge-agent
// noarch, edge-agent-runtime x86_64 and aarch64): the package file (what the repository and the
// compose download) and its installed size (what the image's /usr grows by). Plus, for the
// bundled runtime, the cold start of `edge-agent --version` (the floor of every command: the
// runtime chooser, then the CLI entry) against `node -e 0` of the same binary, on this host: the
// ratio says what edge-agent's own start costs on top of the runtime's (goal for status on a
// device: <= 2.0, bench/status-cold-start.ts). A figure, not a test.
//
// Env: BENCH_RUNS (default 20) starts per command, interleaved.
import { execa } from 'execa';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runtimeTarball } from '../packaging/rpm/node-runtime.mjs';
import { repoRoot } from '../test/harness/bundle.js';
import { median, round } from './lib/figures.js';

const RUNS = Number(process.env.BENCH_RUNS) > 0 ? Number(process.env.BENCH_RUNS) : 20;

async function main(): Promise<void> {
  const outdir = join(repoRoot, 'build', 'bench-rpm');
  const build = await execa('node', ['packaging/rpm/build-rpm.mjs', '--no-lint', '--outdir', outdir], {
    cwd: repoRoot,
    reject: false,
    all: true,
  });
  if (build.exitCode !== 0) throw new Error(`npm run rpm failed:\n${build.all}`);
  const sizes: Record<string, { fileKiB: number; installedKiB: number }> = {};
  for (const name of (await readdir(outdir)).filter((n) => n.endsWith('.rpm')).sort()) {
    const file = join(outdir, name);
    const installed = Number((await execa('rpm', ['-qp', '--qf', '%{SIZE}', file])).stdout);
    const key = (await execa('rpm', ['-qp', '--qf', '%{NAME}.%{ARCH}', file])).stdout;
    sizes[key] = { fileKiB: round((await stat(file)).size / 1024), installedKiB: round(installed / 1024) };
    process.stdout.write(
      `rpm-size: ${key.padEnd(28)} file ${(sizes[key].fileKiB / 1024).toFixed(1).padStart(6)} MiB, installed ${(sizes[key].installedKiB / 1024).toFixed(1).padStart(6)} MiB\n`,
    );
  }

  // The runtime as edge-agent-runtime installs it, and the bundle with its chooser beside it.
  const work = await mkdtemp(join(tmpdir(), 'edge-agent-bench-runtime-'));
  try {
    await execa('tar', ['-xzf', runtimeTarball('x86_64').file, '-C', work, 'package/bin/node']);
    const node = join(work, 'package', 'bin', 'node');
    const dist = join(work, 'dist');
    await execa('node', ['packaging/build.mjs'], { cwd: repoRoot, env: { EDGE_AGENT_OUTDIR: dist } });
    // The chooser sees no supported system node here (this host's is older) only when pointed
    // at the runtime: the same exec chain as on a RHEL 9 device.
    const env = { EDGE_AGENT_SYSTEM_NODE: join(work, 'no-system-node'), EDGE_AGENT_RUNTIME_NODE: node };
    const time = async (argv: string[]): Promise<number> => {
      const t0 = process.hrtime.bigint();
      await execa(argv[0]!, argv.slice(1), { env });
      return Number(process.hrtime.bigint() - t0) / 1e6;
    };
    const agent: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      agent.push(await time([join(dist, 'node'), join(dist, 'edge-agent.cjs'), '--version']));
      bare.push(await time([node, '-e', '0']));
    }
    const ratio = round(median(agent) / median(bare), 2);
    process.stdout.write(
      `rpm-size: bundled runtime cold start: edge-agent --version median ${round(median(agent))} ms, node -e 0 median ${round(median(bare))} ms, ratio ${ratio} [${RUNS} runs each]\n`,
    );
    process.stdout.write(
      `${JSON.stringify({ bench: 'rpm-size', sizes, versionColdStart: { agentMs: round(median(agent)), nodeMs: round(median(bare)), ratio, runs: RUNS } })}\n`,
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`rpm-size failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
