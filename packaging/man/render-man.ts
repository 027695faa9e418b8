// Renders edge-agent(1) from edge-agent.1.in: the commands and options come from the built
// program's own --help texts (renderHelp() and each command's help), the exit codes from the
// exit code table, the greenboot section from the shims in greenboot/. The hand-written parts
// live in the template.
//
// Usage: node --import tsx packaging/man/render-man.ts BUNDLE_CLI_JS [--date YYYY-MM-DD] > edge-agent.1
// The bundle is run rather than agent/cli.ts imported: importing cli.ts runs the CLI.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exitCodeHelp } from '../../agent/exit-codes.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');

interface CommandHelp {
  name: string;
  usage: string;
  summary: string;
  flags: Array<{ flag: string; text: string }>;
}

/** Escape text for roff: backslashes, and a leading . or ' that would read as a request. */
export function roff(text: string): string {
  return text
    .replaceAll('\\', '\\e')
    .replaceAll('-', '\\-')
    .replace(/^([.'])/, '\\&$1');
}

function run(cli: string, args: string[]): string {
  return execFileSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
}

/** Lines of a `Title:` section of the help text, up to the next blank line. */
function section(help: string, title: string): string[] {
  const lines = help.split('\n');
  const start = lines.indexOf(`${title}:`);
  if (start < 0) return [];
  const end = lines.findIndex((line, i) => i > start && line.trim() === '');
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

/** `  name   summary` rows: two or more spaces separate the columns. */
function rows(lines: string[]): Array<[string, string]> {
  return lines.map((line) => {
    const [left = '', ...right] = line.trim().split(/\s{2,}/);
    return [left, right.join(' ')];
  });
}

function readCommand(cli: string, name: string): CommandHelp {
  const help = run(cli, [...name.split(' '), '--help']);
  const usage = /^Usage: (.*)$/m.exec(help)?.[1] ?? `edge-agent ${name}`;
  const summary = help.split('\n')[2]?.trim() ?? '';
  const flags = rows(section(help, 'Options')).map(([flag, text]) => ({ flag, text }));
  return { name, usage, summary, flags };
}

function renderCommands(commands: CommandHelp[]): string {
  return commands
    .map((c) => {
      const flags = c.flags.map((f) => `.TP\n.B ${roff(f.flag)}\n${roff(f.text)}`).join('\n');
      const synopsis = c.usage.replace(/^edge-agent /, '');
      return `.TP\n.B ${roff(synopsis)}\n${roff(capitalize(c.summary))}.${flags ? `\n.RS\n${flags}\n.RE` : ''}`;
    })
    .join('\n');
}

function renderOptions(help: string): string {
  return rows(section(help, 'Options'))
    .map(([flag, text]) => `.TP\n.B ${roff(flag)}\n${roff(capitalize(text))}.`)
    .join('\n');
}

function renderExitStatus(): string {
  return Object.entries(exitCodeHelp)
    .map(([code, text]) => `.TP\n.B ${code}\n${roff(capitalize(text))}.`)
    .join('\n');
}

/** Each shim under greenboot/ with the edge-agent command it runs (its `exec "$agent" ...` line). */
function renderShims(): string {
  const root = join(repo, 'greenboot');
  const shims = walk(root)
    .filter((f) => f.endsWith('.sh'))
    .sort();
  return shims
    .map((file) => {
      const args = /^exec "\$agent" (.*)$/m.exec(readFileSync(file, 'utf8'))?.[1] ?? '...';
      return `.TP\n.I /etc/greenboot/${roff(relative(root, file))}\nruns\n.BR "edge-agent ${roff(args)}" .`;
    })
    .join('\n');
}

// Examples shown only when the program has the command.
const examples: Array<{ command: string; text: string; line: string }> = [
  { command: 'status', text: 'Is this device healthy, and if not, why?', line: 'edge-agent status' },
  {
    command: 'check',
    text: 'Run the boot checks now without recording a verdict:',
    line: 'edge-agent check --dry-run',
  },
  {
    command: 'history',
    text: 'Boots and rollbacks, newest first, with their reasons:',
    line: 'edge-agent history -n 10',
  },
  {
    command: 'journal',
    text: 'Make the journal persistent, so the logs of failed boots survive a rollback:',
    line: 'edge-agent journal persist',
  },
  { command: 'config validate', text: 'Check the configuration after editing it:', line: 'edge-agent config validate' },
];

function renderExamples(names: string[]): string {
  return examples
    .filter((e) => names.some((n) => n === e.command || n.startsWith(`${e.command} `)))
    .map((e) => `.PP\n${roff(e.text)}\n.RS\n.nf\n${roff(e.line)}\n.fi\n.RE`)
    .join('\n');
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function renderMan(cli: string, date: string): string {
  const help = run(cli, ['--help']);
  const version = run(cli, ['--version'])
    .split('\n')[0]!
    .replace(/^edge-agent /, '');
  const summary = (help.split('\n')[0] ?? '').replace(/^edge-agent [^:]*: /, '');
  const names = rows(section(help, 'Commands')).map(([name]) => name);
  const fill: Record<string, string> = {
    '@COMMANDS@': renderCommands(names.map((name) => readCommand(cli, name))),
    '@OPTIONS@': renderOptions(help),
    '@EXIT_STATUS@': renderExitStatus(),
    '@SHIMS@': renderShims(),
    '@EXAMPLES@': renderExamples(names),
  };
  const template = readFileSync(join(here, 'edge-agent.1.in'), 'utf8');
  const lines = template.split('\n').map((line) => fill[line] ?? line);
  return lines
    .join('\n')
    .replaceAll('@DATE@', date)
    .replaceAll('@VERSION@', version)
    .replaceAll('@SUMMARY@', roff(summary));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [cli, ...rest] = process.argv.slice(2);
  if (!cli) throw new Error('usage: render-man.ts BUNDLE_CLI_JS [--date YYYY-MM-DD]');
  const dateIndex = rest.indexOf('--date');
  const date = dateIndex >= 0 ? rest[dateIndex + 1]! : new Date().toISOString().slice(0, 10);
  process.stdout.write(renderMan(cli, date));
}
