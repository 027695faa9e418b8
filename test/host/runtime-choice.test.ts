// The runtime chooser (packaging/runtime/node.sh, installed as /usr/libexec/edge-agent/node) with
// stand-in Node.js binaries: small scripts that answer `--version` like node and otherwise print
// which one ran and with which arguments. Its two paths are pointed at them through the
// variables it reads for tests; everything else is the script as shipped.
import { execa } from 'execa';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runtimeTarball } from '../../packaging/rpm/node-runtime.mjs';
import { repoRoot } from '../harness/bundle.js';

const chooser = join(repoRoot, 'packaging', 'runtime', 'node.sh');
let dir = '';

async function fakeNode(name: string, version: string): Promise<string> {
  const path = join(dir, name);
  const script = `#!/bin/sh\nif [ "$1" = --version ]; then echo ${version}; exit 0; fi\necho "ran ${name}: $*"\n`;
  await writeFile(path, script);
  await chmod(path, 0o755);
  return path;
}

async function choose(system: string, runtime: string) {
  return execa(chooser, ['--lite-mode', '/usr/libexec/edge-agent/cli.js', 'run'], {
    env: { EDGE_AGENT_SYSTEM_NODE: system, EDGE_AGENT_RUNTIME_NODE: runtime },
    reject: false,
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edge-agent-chooser-'));
  await fakeNode('node16', 'v16.20.2');
  await fakeNode('node20', 'v20.19.5');
  await fakeNode('node22', 'v22.23.5');
  await fakeNode('node24', 'v24.22.3');
  await fakeNode('runtime', 'v24.22.3');
  await fakeNode('broken', 'not-a-version');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('/usr/libexec/edge-agent/node picks the Node.js to run', () => {
  it.each([
    ['node22', 'runtime', 'node22'],
    ['node24', 'runtime', 'node24'],
    // An unsupported system node never wins over the runtime subpackage.
    ['node16', 'runtime', 'runtime'],
    ['node20', 'runtime', 'runtime'],
    ['broken', 'runtime', 'runtime'],
    ['missing', 'runtime', 'runtime'],
    // Without the runtime, any system node is better than none (installed with --nodeps).
    ['node20', 'missing', 'node20'],
    ['node22', 'missing', 'node22'],
  ])('system %s, runtime %s: runs %s with the arguments unchanged', async (system, runtime, expected) => {
    const result = await choose(join(dir, system), join(dir, runtime));
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toBe(`ran ${expected}: --lite-mode /usr/libexec/edge-agent/cli.js run`);
  });

  it.each([
    [
      'node22',
      'runtime',
      'ran node22: --lite-mode --no-expose-wasm /usr/libexec/edge-agent/cli.js run --no-expose-wasm',
    ],
    ['node24', 'runtime', 'ran node24: --lite-mode /usr/libexec/edge-agent/cli.js run --no-expose-wasm'],
    ['node16', 'runtime', 'ran runtime: --lite-mode /usr/libexec/edge-agent/cli.js run --no-expose-wasm'],
    [
      'node20',
      'missing',
      'ran node20: --lite-mode --no-expose-wasm /usr/libexec/edge-agent/cli.js run --no-expose-wasm',
    ],
  ])(
    'system %s, runtime %s: --no-expose-wasm goes to Node.js 22 and older only, and only as a node option',
    async (system, runtime, expected) => {
      // The unit's flags, plus the same word after the script, which is the script's and stays.
      const result = await execa(
        chooser,
        ['--lite-mode', '--no-expose-wasm', '/usr/libexec/edge-agent/cli.js', 'run', '--no-expose-wasm'],
        {
          env: { EDGE_AGENT_SYSTEM_NODE: join(dir, system), EDGE_AGENT_RUNTIME_NODE: join(dir, runtime) },
          reject: false,
        },
      );
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stdout).toBe(expected);
    },
  );

  it("the real Node.js 24 of edge-agent-runtime starts with the unit's flags through it", async () => {
    const work = await mkdtemp(join(tmpdir(), 'edge-agent-node24-'));
    try {
      await execa('tar', ['-xzf', runtimeTarball('x86_64').file, '-C', work, 'package/bin/node']);
      const node24 = join(work, 'package', 'bin', 'node');
      // Without the chooser, Node.js 24 refuses the flag: the reason it is dropped.
      expect((await execa(node24, ['--lite-mode', '--no-expose-wasm', '-e', '0'], { reject: false })).stderr).toMatch(
        /bad option: --no-expose-wasm/,
      );
      const result = await execa(
        chooser,
        ['--lite-mode', '--no-expose-wasm', '-e', 'process.stdout.write(typeof WebAssembly)'],
        { env: { EDGE_AGENT_SYSTEM_NODE: join(dir, 'missing'), EDGE_AGENT_RUNTIME_NODE: node24 }, reject: false },
      );
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stdout).toBe('undefined');
      expect(result.stderr).toBe('');
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });

  it('exits 69 (unavailable) naming both paths when there is no Node.js at all', async () => {
    const result = await choose(join(dir, 'missing-system'), join(dir, 'missing-runtime'));
    expect(result.exitCode).toBe(69);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `edge-agent: no Node.js to run on: neither ${join(dir, 'missing-system')} nor ${join(dir, 'missing-runtime')} exists (install nodejs >= 22 or edge-agent-runtime)`,
    );
  });

  it('replaces itself with node (exec), so systemd sees node as the main process', async () => {
    const result = await execa(chooser, ['-e', 'process.stdout.write(String(process.ppid))'], {
      env: { EDGE_AGENT_SYSTEM_NODE: process.execPath, EDGE_AGENT_RUNTIME_NODE: join(dir, 'missing') },
    });
    // The host's node is whichever major; no runtime, so it is chosen. Its parent is this test's
    // process, not a shell left waiting in between.
    expect(Number(result.stdout)).toBe(process.pid);
  });
});
