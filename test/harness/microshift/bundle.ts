// Builds the simulator into one ESM file that the device's systemd runs with the host's node.
//
// The device sees the checkout at the same path, so a bundle under its build/ directory
// (gitignored) is visible inside without copying. It is rebuilt only when a source here is newer,
// and written through a temp file + rename because two test workers may build at once.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const bundlePath = resolve(here, '../../../build/harness/microshift-sim.mjs');

export async function ensureSimBundle(): Promise<string> {
  const sources = (await readdir(here)).filter((name) => name.endsWith('.ts'));
  const newest = Math.max(...(await Promise.all(sources.map(async (name) => (await stat(join(here, name))).mtimeMs))));
  if (existsSync(bundlePath) && (await stat(bundlePath)).mtimeMs >= newest) return bundlePath;
  const result = await build({
    entryPoints: [join(here, 'sim-main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    write: false,
    logLevel: 'silent',
    banner: { js: '// Generated from test/harness/microshift by bundle.ts; do not edit.' },
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error('esbuild produced no output for the MicroShift simulator');
  await mkdir(dirname(bundlePath), { recursive: true });
  const temp = `${bundlePath}.${process.pid}.tmp`;
  await writeFile(temp, output.contents);
  await rename(temp, bundlePath);
  return bundlePath;
}
