// Shell completion as the build makes it (packaging/build.mjs into dist/completions/), run in the
// real shells: bash through its completion function with COMP_WORDS/COMP_CWORD set as readline
// would, fish through `complete -C`, zsh checked for syntax. What is offered is compared with
// what the built CLI's --help says, so the two cannot drift apart.
import { execa } from 'execa';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../harness/bundle.js';

let out = '';
let cli = '';
const completions = (file: string) => join(out, 'completions', file);
const hasShell = async (shell: string) =>
  (await execa('sh', ['-c', `command -v ${shell}`], { reject: false })).exitCode === 0;

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'edge-completion-'));
  await execa('node', [join(repoRoot, 'packaging', 'build.mjs')], { env: { EDGE_AGENT_OUTDIR: join(out, 'dist') } });
  out = join(out, 'dist');
  cli = join(out, 'cli.js');
}, 120_000);
afterAll(async () => {
  if (out) await rm(join(out, '..'), { recursive: true, force: true });
});

/** Commands as `--help` lists them, e.g. ['status', 'journal persist', ...]. */
async function helpCommands(): Promise<string[]> {
  const help = (await execa('node', [cli, '--help'])).stdout;
  const section = help.split('Commands:\n')[1]!.split('\n\n')[0]!;
  return section.split('\n').map((line) => line.trim().split(/\s{2,}/)[0]!);
}

/** Flags a command's --help lists, plus --help itself. */
async function helpFlags(command: string): Promise<string[]> {
  const help = (await execa('node', [cli, ...command.split(' '), '--help'])).stdout;
  return [...help.matchAll(/^ {2}(--[a-z-]+)/gm)]
    .map((m) => m[1]!)
    .concat('--help')
    .sort();
}

/** What bash offers for the words typed so far (the last one being completed). */
async function bash(...words: string[]): Promise<string[]> {
  const script = [
    `source ${completions('edge-agent.bash')}`,
    `COMP_WORDS=(edge-agent ${words.map((w) => `'${w}'`).join(' ')})`,
    `COMP_CWORD=${words.length}`,
    '_edge_agent',
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n');
  const result = await execa('bash', ['--norc', '-c', script], { cwd: out });
  return result.stdout.split('\n').filter(Boolean).sort();
}

describe('bash', () => {
  it('registers _edge_agent for edge-agent', async () => {
    const result = await execa('bash', [
      '--norc',
      '-c',
      `source ${completions('edge-agent.bash')}; complete -p edge-agent`,
    ]);
    expect(result.stdout).toBe('complete -o filenames -F _edge_agent edge-agent');
  });

  it('offers every command --help lists, by its first word, and the subcommands after it', async () => {
    const commands = await helpCommands();
    expect(commands.length).toBeGreaterThan(8);
    const first = [...new Set(commands.map((c) => c.split(' ')[0]!))];
    expect(await bash('')).toEqual([...first, '--help', '-h', '--version', '-V'].sort());
    expect(await bash('j')).toEqual(['journal']);
    for (const word of first) {
      const subs = commands.filter((c) => c.startsWith(`${word} `)).map((c) => c.split(' ')[1]!);
      if (subs.length) expect(await bash(word, '')).toEqual(subs.sort());
    }
  });

  it("offers each command's flags exactly as its --help lists them", async () => {
    for (const command of await helpCommands()) {
      const offered = (await bash(...command.split(' '), '--')).filter((f) => f.startsWith('--'));
      expect(offered, command).toEqual(await helpFlags(command));
    }
    expect(await bash('status', '-')).toContain('-w');
  });

  it('offers the choices a flag or command takes, files for a file flag, nothing for a free value', async () => {
    expect(await bash('check', '--class', '')).toEqual(['required', 'wanted']);
    expect(await bash('fleet', '--sort', 's')).toEqual(['seen', 'state']);
    expect(await bash('boot', '')).toEqual(['green', 'red']);
    expect(await bash('status', '--interval', '')).toEqual([]);
    await mkdir(join(out, 'pki'));
    await writeFile(join(out, 'pki', 'reader.crt'), '');
    expect(await bash('fleet', '--ca', 'pki/r')).toEqual(['pki/reader.crt']);
    // After the choice, flags again.
    expect(await bash('check', '--class', 'required', '--d')).toEqual(['--dry-run']);
  });
});

describe('fish', () => {
  it('completes commands, subcommands, flags and choices through complete -C', async (context) => {
    if (!(await hasShell('fish'))) return context.skip('fish is not installed');
    const fish = async (line: string) => {
      const result = await execa('fish', [
        '--no-config',
        '-c',
        `source ${completions('edge-agent.fish')}; complete -C '${line}'`,
      ]);
      // The conditions run during completion: an error in one is only printed, never thrown.
      expect(result.stderr).toBe('');
      return result.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t')[0]!)
        .sort();
    };
    const first = [...new Set((await helpCommands()).map((c) => c.split(' ')[0]!))].sort();
    expect(await fish('edge-agent ')).toEqual(first);
    expect(await fish('edge-agent journal ')).toEqual(['persist', 'status']);
    expect(await fish('edge-agent check --')).toEqual(await helpFlags('check'));
    expect(await fish('edge-agent journal status --')).toEqual(await helpFlags('journal status'));
    expect(await fish('edge-agent check --class ')).toEqual(['required', 'wanted']);
    expect(await fish('edge-agent boot ')).toEqual(['green', 'red']);
  });
});

describe('zsh', () => {
  it('is valid zsh naming its function for edge-agent', async (context) => {
    if (!(await hasShell('zsh'))) return context.skip('zsh is not installed');
    const file = completions('_edge-agent');
    expect((await readFile(file, 'utf8')).split('\n')[0]).toBe('#compdef edge-agent');
    const result = await execa('zsh', ['-n', file], { reject: false });
    expect(result.exitCode, result.stderr).toBe(0);
  });

  it('completes flags and choices in an interactive zsh with compinit (zpty)', async (context) => {
    if (!(await hasShell('zsh'))) return context.skip('zsh is not installed');
    // A terminal-driven zsh: type a line and TAB, read the screen until the expected word shows.
    const script = [
      'zmodload zsh/zpty',
      "zpty z 'zsh -f -i'",
      `zpty -w z 'PS1=">"; fpath=(${join(out, 'completions')} $fpath); autoload -U compinit; compinit -u -D; LISTMAX=1000'`,
      "zpty -w z 'edge-agent() { :; }'",
      "zpty -wn z $'edge-agent check --\\t'",
      "zpty -r z flags '*--timeout*'",
      'print -r -- "$flags"',
      "zpty -wn z $'\\C-u'",
      "zpty -wn z $'edge-agent check --class \\t'",
      "zpty -r z choices '*wanted*'",
      'print -r -- "$choices"',
      'zpty -d z',
    ].join('\n');
    const result = await execa('zsh', ['-f', '-c', script], { timeout: 30_000, reject: false });
    expect(result.timedOut, 'zsh never showed the expected completions').toBe(false);
    const screen = result.stdout
      .replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, 'g'), '')
      .replace(/\r/g, '');
    // "--flag -- description"; a long description goes to the next line.
    for (const flag of await helpFlags('check')) expect(screen).toMatch(new RegExp(`^${flag}\\s+-- `, 'm'));
    expect(screen).toMatch(/^required +wanted/m);
  });
});
