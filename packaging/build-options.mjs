// How edge-agent's code is bundled, shared by packaging/build.mjs (the product) and the benchmarks
// that must run code built exactly like it (bench/daemon-rss.ts), so the two cannot drift.
import { readFile, writeFile } from 'node:fs/promises';
import { builtinModules, createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * esbuild options for an ES module bundle for Node 22 and 24, code-split so that each command loads
 * only what it uses. Add entryPoints and outdir. `root` is the repository.
 */
export function bundleOptions({ root, version }) {
  return {
    absWorkingDir: root,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    chunkNames: 'chunks/[name]-[hash]',
    // dbus-next's optional X11 transport is never used (we speak D-Bus over a unix socket).
    external: ['x11'],
    // Modules dependencies load for things edge-agent never does (see each stub's header):
    // dbus-next's introspection and native socket (a fifth of `edge-agent status`'s cold start),
    // WebSockets, mqtt's browser timers and SOCKS proxy, Node's assert, mqtt's debug logging
    // (daemon memory); and readable-stream, a copy of Node's own streams (daemon memory).
    alias: {
      xml2js: './packaging/stubs/xml2js.cjs',
      usocket: './packaging/stubs/usocket.cjs',
      ws: './packaging/stubs/ws.cjs',
      'worker-timers': './packaging/stubs/worker-timers.cjs',
      // dbus-next's two internal checks (not `node:assert`, which nothing bundled imports).
      assert: './packaging/stubs/assert.cjs',
      debug: './packaging/stubs/debug.cjs',
      'readable-stream': './packaging/stubs/readable-stream.cjs',
    },
    plugins: [mqttSocksStub(root), builtinsByName()],
    // Globals that Node creates on first read, loading modules for good, and that only dependencies
    // read. `performance` (lru-cache, for mqtt's topic aliases, to pick its clock) loads perf_hooks
    // and ten more modules, ~0.5 MB of the daemon's RSS; as undefined lru-cache uses Date, as its
    // code allows. `navigator` (mqtt, zod and pg asking whether they run in a browser, React Native
    // or Cloudflare; Node's answer is no to each) loads 0.15 MB. ESLint keeps both out of agent/.
    define: { EDGE_AGENT_VERSION: JSON.stringify(version), performance: 'undefined', navigator: 'undefined' },
    // Some dependencies are CommonJS and call require(); give the ESM bundle one.
    banner: {
      js: "import { createRequire as __edgeAgentCreateRequire } from 'node:module'; const require = __edgeAgentCreateRequire(import.meta.url);",
    },
    // V8 keeps every loaded module's source text for the life of the process: without the
    // indentation and line breaks that is 30 % less for the daemon to hold. Names stay, so stack
    // traces still name the functions.
    minifyWhitespace: true,
    legalComments: 'linked',
    metafile: true,
  };
}

/**
 * mqtt imports its SOCKS support by a relative path (./socks), which `alias` cannot map (it maps
 * package names): resolve that one import, from mqtt's connect/ directory only, to the stub.
 */
function mqttSocksStub(root) {
  return {
    name: 'edge-agent-mqtt-socks-stub',
    setup(build) {
      build.onResolve({ filter: /^\.\/socks$/ }, (args) =>
        /node_modules\/mqtt\/build\/lib\/connect\//.test(args.importer)
          ? { path: join(root, 'packaging/stubs/mqtt-socks.cjs') }
          : undefined,
      );
    },
  };
}

/**
 * Node's built-in modules imported by name, not as a whole. An ES import of a built-in, even of one
 * name (`import { parseArgs } from 'node:util'`), makes Node build the module's namespace, reading
 * every export, and each lazy one loads its module for good: node:util loads worker_threads and
 * assert's diff, node:http http2 and perf_hooks. (esbuild's interop for a require()d module is no
 * better: it asks for every property's descriptor, which loads them too.) So each built-in that ES
 * code imports becomes a small module here that takes it with require() (the banner's) and exports
 * each name as a `/* @__PURE__ *\/` read: esbuild keeps only the names some module uses, and only
 * those are read. The names are this Node's (the build's); a name it lacks fails the build.
 * Measured with node --lite-mode (Node 24) importing sixteen built-ins, util and http among them:
 * 59.6 MB RSS and 190 modules as ES imports, 54.5 MB and 151 this way. Every command loads 13 to 15
 * fewer modules; the daemon (with the stubs and defines above) 65.0 -> 63.7 MB.
 */
function builtinsByName() {
  const builtins = new Set(builtinModules);
  const nodeRequire = createRequire(import.meta.url);
  const identifier = /^[A-Za-z_$][\w$]*$/;
  return {
    name: 'edge-agent-builtins-by-name',
    setup(build) {
      build.onResolve({ filter: /^(node:)?[a-z0-9_/]+$/ }, (args) => {
        if (args.kind !== 'import-statement' && args.kind !== 'dynamic-import') return undefined;
        const name = args.path.replace(/^node:/, '');
        if (!args.path.startsWith('node:') && !builtins.has(name)) return undefined;
        return { path: `node:${name}`, namespace: 'edge-agent-builtin' };
      });
      build.onLoad({ filter: /.*/, namespace: 'edge-agent-builtin' }, (args) => {
        const names = Object.keys(nodeRequire(args.path)).filter((n) => identifier.test(n) && n !== 'default');
        const lines = [
          `const __builtin = require(${JSON.stringify(args.path)});`,
          'const __builtinExport = (name) => __builtin[name];',
          'export default __builtin;',
          ...names.map((n) => `export const ${n} = /* @__PURE__ */ __builtinExport(${JSON.stringify(n)});`),
        ];
        return { contents: lines.join('\n'), loader: 'js' };
      });
    },
  };
}

/**
 * Rewrite the JavaScript files of a build (its metafile's outputs) to pure ASCII. V8 keeps each
 * module's source in memory for the life of the process, one byte per character only if every
 * character fits in Latin-1: a single dash or curly quote in a comment doubles the whole chunk
 * (a 5 MB chunk became 10 MB of heap in every `check` when a Kubernetes client was bundled; zod in
 * the daemon). esbuild already escapes non-ASCII in strings, templates and identifiers; what it
 * leaves is in comments (all of it, today) and regular expression literals, where \uXXXX (per
 * UTF-16 code unit, so also in a surrogate pair, with or without the u flag) matches the same
 * character; only the pattern's `.source` text would differ.
 */
export async function escapeNonAscii(root, metafile) {
  for (const output of Object.keys(metafile.outputs)) {
    if (!/\.c?js$/.test(output)) continue;
    const file = join(root, output);
    const text = await readFile(file, 'utf8');
    if (!/[\u0080-\uffff]/.test(text)) continue;
    const escaped = text.replace(/[\u0080-\uffff]/g, (char, at) => {
      // After an odd number of backslashes the character is itself escaped (`\–` in a regular
      // expression): \\u2013 would then mean something else.
      let backslashes = 0;
      while (text[at - 1 - backslashes] === '\\') backslashes += 1;
      if (backslashes % 2 === 1) throw new Error(`${output}: cannot make an escaped '${char}' ASCII at offset ${at}`);
      return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
    });
    await writeFile(file, escaped);
  }
}
