// Bundles a TypeScript program of the harness (a stand-in that runs inside a virtual device) into
// build/harness/<name>.mjs with esbuild, once per process and only when a source is newer.
// The checkout is visible inside every device (vdev-boot.sh), so devices run the bundle in place.
import { build } from 'esbuild';
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const built = new Map<string, Promise<string>>();

export function bundleHarnessProgram(entry: string, name: string): Promise<string> {
  const outfile = join(repoRoot, 'build', 'harness', `${name}.mjs`);
  let pending = built.get(outfile);
  if (!pending) {
    pending = (async () => {
      const result = await build({
        entryPoints: [join(repoRoot, entry)],
        outfile,
        bundle: true,
        format: 'esm',
        platform: 'node',
        target: 'node22',
        banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
        metafile: true,
        logLevel: 'warning',
        write: false,
      });
      const newest = Math.max(
        ...Object.keys(result.metafile.inputs).map((input) => statSync(join(repoRoot, input)).mtimeMs),
      );
      let current = 0;
      try {
        current = statSync(outfile).mtimeMs;
      } catch {
        // not built yet
      }
      if (current < newest) {
        const { writeFile, mkdir } = await import('node:fs/promises');
        await mkdir(dirname(outfile), { recursive: true });
        const tmp = `${outfile}.${process.pid}.tmp`;
        await writeFile(tmp, result.outputFiles[0]!.contents);
        const { rename } = await import('node:fs/promises');
        await rename(tmp, outfile);
      }
      return outfile;
    })();
    built.set(outfile, pending);
  }
  return pending;
}
