// The command line with bad input: a stray positional argument is refused by every command
// (never silently ignored), and what is echoed back in an error is clipped and printable, so a
// 100 KB value or an escape sequence in an argument never comes back whole.
import { execa } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { agentDist } from '../harness/agent-build.js';

const root = mkdtempSync(join(tmpdir(), 'edge-agent-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function agent(...args: string[]) {
  const result = await execa('node', [join(agentDist, 'cli.js'), ...args], {
    reject: false,
    extendEnv: false,
    env: { PATH: '/usr/bin:/bin', EDGE_AGENT_ROOT: root },
    timeout: 30_000,
  });
  return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
}

describe('extra positional arguments', () => {
  it.concurrent.each([
    [
      ['status', 'now'],
      "edge-agent status: unexpected argument 'now': status takes no arguments (see edge-agent status --help)",
    ],
    [['fleet', 'x'], "edge-agent fleet: unexpected argument 'x': fleet takes no arguments"],
    [
      ['journal', 'persist', '1G'],
      "edge-agent journal persist: unexpected argument '1G': journal persist takes no arguments",
    ],
    [
      ['journal', 'status', 'x'],
      "edge-agent journal status: unexpected argument 'x': journal status takes no arguments",
    ],
    [
      ['gate', 'list', 'app.service'],
      "edge-agent gate list: unexpected argument 'app.service': gate list takes no arguments",
    ],
    [
      ['gate', 'add', 'a.service', 'b.service'],
      "edge-agent gate add: unexpected argument 'b.service': gate add takes only UNIT",
    ],
    [
      ['gate', 'remove', 'a.service', 'b.service'],
      "edge-agent gate remove: unexpected argument 'b.service': gate remove takes only UNIT",
    ],
    [['wait', '--green', '10'], "edge-agent wait: unexpected argument '10': wait takes no arguments"],
    [['check', 'required'], "edge-agent check: unexpected argument 'required': check takes no arguments"],
    [['boot', 'red', 'now'], "edge-agent boot: unexpected argument 'now': boot takes only green|red"],
    [['history', '5'], "edge-agent history: unexpected argument '5': history takes no arguments"],
    [['run', 'daemon'], "edge-agent run: unexpected argument 'daemon': run takes no arguments"],
    [
      ['config', 'validate', '/etc/x.yaml'],
      "edge-agent config validate: unexpected argument '/etc/x.yaml': config validate takes no arguments",
    ],
  ])('%j: refused with the usage exit code, before doing anything', async (args, message) => {
    const result = await agent(...args);
    expect(result.exitCode).toBe(64);
    expect(result.stdout).toBe('');
    expect(result.stderr.startsWith(message)).toBe(true);
  });
});

describe('echoed values', () => {
  const huge = 'x'.repeat(100_000);
  it.concurrent.each([
    [
      'a flag value the command refuses',
      ['check', '--class', huge],
      "edge-agent check: --class must be 'required' or 'wanted' (got 'xxxx",
    ],
    [
      'a flag value refused by another command',
      ['history', '-n', huge],
      "edge-agent history: -n must be a positive whole number (got 'xxxx",
    ],
    ['an unknown flag', ['status', `--${huge}`], "edge-agent status: Unknown option '--xxxx"],
    ['an unknown command', [huge], "edge-agent: unknown command 'xxxx"],
    ['a stray argument', ['status', huge], "edge-agent status: unexpected argument 'xxxx"],
  ])('%s: clipped to 80 characters with the full length', async (_name, args, start) => {
    const result = await agent(...args);
    expect(result.exitCode).toBe(64);
    expect(result.stderr.startsWith(start)).toBe(true);
    expect(result.stderr).toContain(`${'x'.repeat(70)}... (100`);
    expect(result.stderr.length).toBeLessThan(600);
  });

  it('control characters in an argument are shown, not sent to the terminal', async () => {
    const result = await agent('check', '--class', '\u001b]0;pwned\u0007\u001b[2J');
    expect(result.exitCode).toBe(64);
    expect(result.stderr).toBe(
      "edge-agent check: --class must be 'required' or 'wanted' (got '\\x1b]0;pwned\\x07\\x1b[2J')",
    );
  });
});
