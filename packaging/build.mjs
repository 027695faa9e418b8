// Bundles the CLI into dist/ with esbuild: ESM, code-split so that light commands (--version,
// status) never load the Kubernetes or MQTT clients. dist/ runs with no node_modules beside it;
// structured journal entries need no native code (util-linux logger, see agent/host/log.ts).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmod, copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleOptions, escapeNonAscii } from './build-options.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
const outdir = process.env.EDGE_AGENT_OUTDIR ?? join(root, 'dist');

await rm(outdir, { recursive: true, force: true });
const result = await build({
  ...bundleOptions({ root, version: pkg.version }),
  entryPoints: { cli: 'agent/cli.ts' },
  outdir,
  logLevel: 'warning',
});
// The launcher's entry: a small CommonJS file that answers `status` from the daemon without
// Node's ES module loader and hands everything else to cli.js (see agent/front.ts).
const front = await build({
  absWorkingDir: root,
  entryPoints: { 'edge-agent': 'agent/front.ts' },
  outdir,
  outExtension: { '.js': '.cjs' },
  bundle: true,
  format: 'cjs',
  define: { EDGE_AGENT_VERSION: JSON.stringify(pkg.version) },
  platform: 'node',
  target: 'node22',
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
});
Object.assign(result.metafile.outputs, front.metafile.outputs);
await escapeNonAscii(root, result.metafile);
// What went into the bundle, for the RPM build's list of bundled packages and their licenses
// (the bundle itself is minified: it names no source files).
if (process.env.EDGE_AGENT_METAFILE) await writeFile(process.env.EDGE_AGENT_METAFILE, JSON.stringify(result.metafile));
// The chunks are ES modules with a .js name. Without a package.json saying so (as under
// /usr/libexec), Node looks for one in every directory up to / and then has to guess each
// chunk's format from its syntax (module syntax detection), which costs time at every start.
await writeFile(join(outdir, 'package.json'), `${JSON.stringify({ type: 'module', private: true })}\n`);
// The runtime chooser (packaging/runtime/node.sh) lives beside the bundle, so every install of the
// bundle (the RPM, the test devices' link to dist/) starts it the same way.
await copyFile(join(root, 'packaging', 'runtime', 'node.sh'), join(outdir, 'node'));
await chmod(join(outdir, 'node'), 0o755);
// Shell completion from the built CLI's own command table (the one --help prints), under the
// names each shell looks for; rpm.spec installs them where bash-completion, zsh and fish load them.
await mkdir(join(outdir, 'completions'));
for (const [shell, file] of [
  ['bash', 'edge-agent.bash'],
  ['zsh', '_edge-agent'],
  ['fish', 'edge-agent.fish'],
]) {
  await writeFile(
    join(outdir, 'completions', file),
    execFileSync(process.execPath, [join(outdir, 'cli.js'), '--completion', shell]),
  );
}
const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
process.stdout.write(
  `built ${outdir} (${Object.keys(result.metafile.outputs).length} files, ${(bytes / 1024).toFixed(0)} KiB)\n`,
);
