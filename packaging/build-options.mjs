// How edge-agent's code is bundled, shared by packaging/build.mjs (the product) and the benchmarks
// that must run code built exactly like it (bench/daemon-rss.ts), so the two cannot drift.
import { readFile, writeFile } from 'node:fs/promises';
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
    // WebSockets, mqtt's browser timers and SOCKS proxy (daemon memory).
    alias: {
      xml2js: './packaging/stubs/xml2js.cjs',
      usocket: './packaging/stubs/usocket.cjs',
      ws: './packaging/stubs/ws.cjs',
      'worker-timers': './packaging/stubs/worker-timers.cjs',
    },
    plugins: [mqttSocksStub(root)],
    define: { EDGE_AGENT_VERSION: JSON.stringify(version) },
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
