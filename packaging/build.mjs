// Bundles the CLI into dist/ with esbuild: ESM, code-split so that light commands (--version,
// status) never load the Kubernetes or MQTT clients. dist/ runs with no node_modules beside it;
// the optional native journald binding stays external and is found at run time if installed.
import { build } from 'esbuild';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
const outdir = process.env.EDGE_AGENT_OUTDIR ?? join(root, 'dist');

await rm(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { cli: 'agent/cli.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  // dbus-next's optional X11 transport is never used (we speak D-Bus over a unix socket); the
  // optional journald binding is found at run time when the -journald package is installed.
  external: ['systemd-journald', 'x11'],
  // Modules dbus-next loads for things edge-agent never does; see each stub's header. Together
  // they are a fifth of `edge-agent status`'s cold start.
  alias: { xml2js: './packaging/stubs/xml2js.cjs', usocket: './packaging/stubs/usocket.cjs' },
  define: { EDGE_AGENT_VERSION: JSON.stringify(pkg.version) },
  // Some dependencies are CommonJS and call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __edgeAgentCreateRequire } from 'node:module'; const require = __edgeAgentCreateRequire(import.meta.url);",
  },
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
});
// The chunks are ES modules with a .js name. Without a package.json saying so (as under
// /usr/libexec), Node looks for one in every directory up to / and then has to guess each
// chunk's format from its syntax (Node 20.19's module syntax detection); older Node 20s refuse.
await writeFile(join(outdir, 'package.json'), `${JSON.stringify({ type: 'module', private: true })}\n`);
const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
process.stdout.write(`built ${outdir} (${Object.keys(result.metafile.outputs).length} files, ${(bytes / 1024).toFixed(0)} KiB)\n`);
