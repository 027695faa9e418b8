// The bundle takes Node's built-in modules by name (packaging/build-options.mjs, builtinsByName):
// an ES import of a built-in reads every export, loading each lazy one for the life of the
// process. Built here with the product's options and run with this Node, next to the same source
// run unbundled, so the test would see it if the plugin stopped working. Likewise the stand-ins
// for dependencies that copy or probe what Node has (readable-stream, debug).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleOptions } from '../../packaging/build-options.mjs';
import { repoRoot } from '../harness/bundle.js';

const run = promisify(execFile);
// What the daemon's code imports from Node (named, default and namespace imports alike).
const source = `
import { parseArgs } from 'node:util';
import { hostname } from 'node:os';
import * as fs from 'node:fs';
import path from 'node:path';
import { getHeapStatistics } from 'node:v8';
import createDebug from 'debug';
import { Duplex, Writable } from 'readable-stream';
import { BufferListStream } from 'bl';
import * as stream from 'node:stream';
// What lru-cache (for mqtt) and mqtt itself do on load: read the performance and navigator globals.
const clock = typeof performance === 'object' && performance ? 'performance' : 'Date';
const browser = typeof navigator !== 'undefined' && navigator.product === 'ReactNative';
const { values } = parseArgs({ args: ['--x'], options: { x: { type: 'boolean' } } });
const loaded = (name) => process.moduleLoadList.includes('NativeModule ' + name);
console.log(JSON.stringify({
  parsed: values.x === true,
  host: typeof hostname() === 'string',
  fs: typeof fs.readFileSync === 'function',
  path: path.join('a', 'b'),
  v8: typeof getHeapStatistics().used_heap_size === 'number',
  workerThreads: loaded('worker_threads'),
  diff: loaded('internal/util/diff'),
  clock,
  browser,
  perfHooks: loaded('perf_hooks'),
  debugEnabled: createDebug('mqttjs:client').enabled,
  tty: loaded('tty'),
  // mqtt's and bl's streams: Node's own, or readable-stream's copy of them.
  nodeStreams: Duplex === stream.Duplex && Writable === stream.Writable,
  bufferList: await new Promise((resolve) => {
    const list = new BufferListStream();
    list.on('finish', () => resolve(list.toString() + (list instanceof stream.Duplex ? ' duplex' : '')));
    list.end(Buffer.from('abc'));
  }),
}));
`;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edge-agent-builtins-'));
  await writeFile(join(dir, 'entry.mjs'), source);
  // Unbundled, the entry finds the real debug package through a node_modules beside it.
  await symlink(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function output(file: string): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, [file]);
  return JSON.parse(stdout) as Record<string, unknown>;
}

describe('built-in modules in the bundle', () => {
  it("are read by name, and the globals dependencies probe load nothing: no worker_threads, diff, perf_hooks or tty; streams are Node's", async () => {
    const options = bundleOptions({ root: repoRoot, version: '0.0.0-test' });
    await build({
      ...options,
      entryPoints: { entry: join(dir, 'entry.mjs') },
      outdir: join(dir, 'out'),
      logLevel: 'error',
    });
    const bundled = await output(join(dir, 'out', 'entry.js'));
    // Every built-in, digits in its name or not, is required, never ES-imported.
    const text = await readFile(join(dir, 'out', 'entry.js'), 'utf8');
    expect(text).not.toMatch(/from\s*["']node:(?!module["'])/);
    expect(text).toContain('__require("node:v8")');
    expect(bundled).toEqual({
      parsed: true,
      host: true,
      fs: true,
      path: 'a/b',
      v8: true,
      workerThreads: false,
      diff: false,
      clock: 'Date',
      browser: false,
      perfHooks: false,
      debugEnabled: false,
      tty: false,
      nodeStreams: true,
      bufferList: 'abc duplex',
    });
    // The same code as plain ES modules (with the real debug package) loads them: the difference is
    // the bundle's.
    const unbundled = await output(join(dir, 'entry.mjs'));
    expect(unbundled).toMatchObject({
      parsed: true,
      workerThreads: true,
      diff: true,
      clock: 'performance',
      perfHooks: true,
      tty: true,
      nodeStreams: false,
      bufferList: 'abc',
    });
  });

  it("stand in for assert in dbus-next's marshaller with the same failures", () => {
    const assert = createRequire(import.meta.url)('../../packaging/stubs/assert.cjs') as ((
      value: unknown,
      message?: string,
    ) => void) & { strictEqual(a: unknown, b: unknown, message?: string): void };
    expect(() => assert(true)).not.toThrow();
    expect(() => assert(0)).toThrow('The expression evaluated to a falsy value');
    expect(() => assert.strictEqual(2, 2, 'same')).not.toThrow();
    expect(() => assert.strictEqual(1, 2, 'variant data should be [signature, data]')).toThrow(
      expect.objectContaining({ code: 'ERR_ASSERTION', message: 'variant data should be [signature, data]' }),
    );
  });
});
