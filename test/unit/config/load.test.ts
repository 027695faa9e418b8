import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatConfigProblem } from '../../../agent/errors.js';
import { loadConfig } from '../../../agent/config/load.js';
import { defaultConfig } from '../../../agent/config/schema.js';
import { createHostFs } from '../../../agent/host/fs.js';

const fixtures = join(import.meta.dirname, '../../fixtures/config');
const MAIN = '/etc/edge-agent/config.yaml';
const DROP_INS = '/etc/edge-agent/config.d';
const roots: string[] = [];

// A throwaway root with the given files (host path -> content).
function rootWith(files: Record<string, string>) {
  const root = mkdtempSync(join(tmpdir(), 'edge-agent-config-'));
  roots.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return { root, fs: createHostFs(root) };
}
const fixture = (name: string) => readFileSync(join(fixtures, name), 'utf8');

afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe('loadConfig', () => {
  it('uses the defaults, without a warning, when there is no config file', async () => {
    const { fs } = rootWith({});
    expect(await loadConfig(fs)).toEqual({ config: defaultConfig(), warnings: [], errors: [], sources: [] });
  });

  it('reads a complete file', async () => {
    const { fs } = rootWith({ [MAIN]: fixture('full.yaml') });
    const result = await loadConfig(fs);
    expect(result).toMatchObject({ warnings: [], errors: [], sources: [MAIN] });
    expect(result.config?.checks.map((c) => c.id)).toEqual([
      'my-app',
      'my-app-http',
      'plc-gateway',
      'my-db',
      'sensors',
    ]);
  });

  it.each([
    ['an empty file', ''],
    ['only comments', '# nothing here\n'],
    ['sections left empty after uncommenting their names', 'microshift:\nhub:\nlog:\n  level:\n'],
  ])('treats %s as the defaults', async (_name, text) => {
    const { fs } = rootWith({ [MAIN]: text });
    expect((await loadConfig(fs)).config).toEqual(defaultConfig());
  });

  it('refuses malformed YAML with the line, and gives no config', async () => {
    const { fs } = rootWith({ [MAIN]: fixture('malformed.yaml') });
    const result = await loadConfig(fs);
    expect(result.config).toBeUndefined();
    expect(result.errors).toEqual([
      expect.objectContaining({
        file: MAIN,
        line: 6,
        message: expect.stringMatching(/^YAML syntax error at line 6, column \d+: /),
      }),
    ]);
  });

  it('names an unknown key, and suggests the right one', async () => {
    const { fs } = rootWith({ [MAIN]: fixture('unknown-key.yaml') });
    const result = await loadConfig(fs);
    expect(result.config).toBeUndefined();
    expect(result.errors).toEqual([
      expect.objectContaining({ file: MAIN, path: 'microshift.restart_window_sec', value: 120, line: 2 }),
    ]);
    expect(formatConfigProblem(result.errors[0]!)).toMatch(
      /unknown key \(did you mean restartWindowSec\?\).*expected one of check, kubeconfig/,
    );
  });

  it('names the file, the key path, the value and the expected type of a wrong value', async () => {
    const { fs } = rootWith({ [MAIN]: fixture('wrong-type.yaml') });
    const result = await loadConfig(fs);
    expect(result.errors).toEqual([
      {
        file: MAIN,
        path: 'checks[2].timeoutSec',
        value: 'soon',
        expected: 'a number',
        message: 'line 12: wrong type',
        line: 12,
        column: 5,
      },
    ]);
    expect(formatConfigProblem(result.errors[0]!)).toBe(
      `${MAIN}: checks[2].timeoutSec: line 12: wrong type (got "soon"); expected a number`,
    );
  });

  it('refuses duplicate check ids, naming both', async () => {
    const { fs } = rootWith({ [MAIN]: fixture('duplicate-ids.yaml') });
    const [error, ...rest] = (await loadConfig(fs)).errors;
    expect(rest).toEqual([]);
    expect(error).toMatchObject({
      path: 'checks[2].id',
      value: 'app',
      message: expect.stringContaining('checks[0] and checks[2]'),
    });
  });

  it('refuses plain mqtt:// without allowInsecure, and says so', async () => {
    const { fs } = rootWith({ [MAIN]: fixture('insecure-hub.yaml') });
    const [error] = (await loadConfig(fs)).errors;
    expect(error).toMatchObject({
      path: 'hub.url',
      value: 'mqtt://broker.local:1883',
      message: expect.stringContaining('must be mqtts:// unless hub.allowInsecure is true'),
    });
  });

  it('applies drop-ins in order, skips a broken one with warnings, and keeps the others', async () => {
    const { root, fs } = rootWith({ [MAIN]: 'boots:\n  keep: 30\nlog:\n  level: warn\n' });
    cpSync(join(fixtures, 'drop-ins'), join(root, DROP_INS), { recursive: true });
    const result = await loadConfig(fs);
    expect(result.errors).toEqual([]);
    expect(result.sources).toEqual([MAIN, `${DROP_INS}/10-hub.yaml`, `${DROP_INS}/30-checks.yaml`]);
    expect(result.config).toMatchObject({
      hub: { url: 'mqtts://hub.example.com:8883' },
      boots: { keep: 10 },
      log: { level: 'warn' },
      daemon: { healthIntervalSec: 300 },
    });
    expect(result.config?.checks.map((c) => c.id)).toEqual(['app']);
    const lines = result.warnings.map(formatConfigProblem);
    expect(lines).toEqual([
      `${DROP_INS}/50-wrong-suffix.yml: ignored: only *.yaml drop-ins are read; expected a name ending in .yaml`,
      `${DROP_INS}/20-broken.yaml: daemon.healthIntervalSec: line 3: wrong type (got "5m"); expected a number`,
      `${DROP_INS}/20-broken.yaml: drop-in skipped: none of its settings are applied`,
      expect.stringMatching(/^\/etc\/edge-agent\/config.d\/40-syntax.yaml: YAML syntax error at line \d+/),
      `${DROP_INS}/40-syntax.yaml: drop-in skipped: none of its settings are applied`,
    ]);
  });

  it('merges mappings key by key and replaces lists', async () => {
    const { fs } = rootWith({
      [MAIN]: 'disabledChecks: [a, b]\nwanted:\n  vgName: data\n  varMinFreeMiB: 10\n',
      [`${DROP_INS}/10.yaml`]: 'disabledChecks: [c]\nwanted:\n  vgName: other\n',
    });
    expect((await loadConfig(fs)).config).toMatchObject({
      disabledChecks: ['c'],
      wanted: { vgName: 'other', varMinFreeMiB: 10 },
    });
  });

  it('validates a drop-in on the merged result', async () => {
    const { fs } = rootWith({
      [MAIN]: 'hub:\n  url: mqtt://broker:1883\n  allowInsecure: true\n',
      [`${DROP_INS}/10-secure-again.yaml`]: 'hub:\n  allowInsecure: false\n',
    });
    const result = await loadConfig(fs);
    expect(result.config?.hub).toMatchObject({ allowInsecure: true });
    expect(result.warnings[0]).toMatchObject({ file: `${DROP_INS}/10-secure-again.yaml`, path: 'hub.url' });
  });

  it('does not apply drop-ins over a broken main file', async () => {
    const { fs } = rootWith({ [MAIN]: 'boots: 5\n', [`${DROP_INS}/10.yaml`]: 'boots:\n  keep: 10\n' });
    expect(await loadConfig(fs)).toMatchObject({
      config: undefined,
      errors: [{ path: 'boots', expected: 'a mapping of keys' }],
    });
  });

  it.each([
    ['a list at the top level', '- a\n- b\n', 'the top level is not a mapping of keys'],
    ['a duplicate key', 'log:\n  level: info\nlog:\n  level: warn\n', 'YAML syntax error at line 3'],
    ['two documents', 'log: {}\n---\nlog: {}\n', 'YAML syntax error'],
  ])('refuses %s', async (_name, text, message) => {
    const { fs } = rootWith({ [MAIN]: text });
    const result = await loadConfig(fs);
    expect(result.config).toBeUndefined();
    expect(result.errors[0]?.message).toContain(message);
  });

  it('reports a main file that is a directory instead of throwing', async () => {
    const { root, fs } = rootWith({});
    mkdirSync(join(root, MAIN), { recursive: true });
    expect(await loadConfig(fs)).toMatchObject({
      config: undefined,
      errors: [{ file: MAIN, message: 'not read: it is a directory', expected: 'a regular file' }],
    });
  });

  it('takes other paths', async () => {
    const { fs } = rootWith({ '/srv/a.yaml': 'log:\n  level: error\n', '/srv/d/1.yaml': 'boots:\n  keep: 7\n' });
    expect((await loadConfig(fs, { path: '/srv/a.yaml', dropInDir: '/srv/d' })).config).toMatchObject({
      log: { level: 'error' },
      boots: { keep: 7 },
    });
  });

  it.each([
    ['a secret-looking key', 'hub:\n  url: mqtts://x\n  password: hunter2\n', 'hub.password', '<redacted>'],
    ['a token inside an echoed mapping', 'log: [{ apiToken: hunter2 }]\n', 'log', [{ apiToken: '<redacted>' }]],
    [
      'a password in a URL',
      'checks:\n  - id: a\n    kind: http\n    url: https://me:hunter2@x/h\n    expectStatus: nope\n',
      'checks[0].expectStatus',
      'nope',
    ],
  ])('redacts %s in problems', async (_name, text, path, value) => {
    const { fs } = rootWith({ [MAIN]: text });
    const { errors } = await loadConfig(fs);
    expect(errors.find((e) => e.path === path)?.value).toEqual(value);
    expect(JSON.stringify(errors)).not.toContain('hunter2');
  });
});
