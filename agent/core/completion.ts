// Shell completion scripts for bash, zsh and fish, made from the same command table as `--help`
// (agent/cli.ts), so a new command or flag completes without anyone editing a script. The build
// writes them into dist/completions/ by running `edge-agent --completion SHELL`.
//
// What the table says is all there is: commands of one or two words, each flag's type (a string
// flag takes a value), its short form, its help text, and the usage line, which names a flag's
// choices (`--class required|wanted`), a file argument (`--ca FILE`) and a command's positional
// choices (`boot green|red`).

export interface CompletionCommand {
  name: string;
  summary: string;
  usage: string;
  flags: Record<string, { type: 'string' | 'boolean'; short?: string }>;
  flagHelp: Record<string, string>;
}

export type CompletionShell = 'bash' | 'zsh' | 'fish';
export const COMPLETION_SHELLS: readonly CompletionShell[] = ['bash', 'zsh', 'fish'];

/** Options every command and the bare program take. */
const GLOBAL = [
  { long: 'help', short: 'h', help: 'show help' },
  { long: 'version', short: 'V', help: 'print the version' },
];

interface Flag {
  long: string;
  short?: string;
  help: string;
  /** Takes a value: these choices, a file, or anything (no suggestions). */
  value?: { choices?: string[]; file?: boolean };
}

interface Command {
  words: string[];
  summary: string;
  flags: Flag[];
  /** Choices of the first positional argument (`boot green|red`). */
  positional?: string[];
}

const CHOICES = /^[a-z][a-z0-9-]*(\|[a-z][a-z0-9-]*)+$/;

function model(commands: readonly CompletionCommand[]): Command[] {
  return commands.map((c) => {
    const words = c.name.split(' ');
    // Usage tokens after "edge-agent <name>", brackets dropped: "--class", "required|wanted", ...
    const tokens = c.usage
      .split('\n')[0]!
      .split(/\s+/)
      .slice(1 + words.length)
      .map((t) => t.replace(/[[\]]/g, ''));
    const flags: Flag[] = Object.entries(c.flags).map(([long, spec]) => {
      const flag: Flag = { long, short: spec.short, help: c.flagHelp[long] ?? '' };
      if (spec.type === 'string') {
        const next = tokens[tokens.indexOf(`--${long}`) + 1] ?? '';
        flag.value =
          tokens.includes(`--${long}`) && CHOICES.test(next) ? { choices: next.split('|') } : { file: next === 'FILE' };
      }
      return flag;
    });
    const first = tokens[0] ?? '';
    return { words, summary: c.summary, flags, positional: CHOICES.test(first) ? first.split('|') : undefined };
  });
}

/** Top-level words (`journal` for `journal persist`), each with the summary of a one-word command. */
function topWords(cmds: Command[]): Array<{ word: string; summary: string }> {
  const seen = new Map<string, string>();
  for (const c of cmds) {
    const word = c.words[0]!;
    if (!seen.has(word))
      seen.set(
        word,
        c.words.length === 1
          ? c.summary
          : `${cmds
              .filter((x) => x.words[0] === word)
              .map((x) => x.words[1])
              .join(', ')}`,
      );
  }
  return [...seen].map(([word, summary]) => ({ word, summary }));
}

const flagWords = (c: Command) => [
  ...c.flags.flatMap((f) => [`--${f.long}`, ...(f.short ? [`-${f.short}`] : [])]),
  '--help',
  '-h',
];

export function completionScript(shell: CompletionShell, commands: readonly CompletionCommand[]): string {
  const cmds = model(commands);
  if (shell === 'bash') return bashScript(cmds);
  if (shell === 'zsh') return zshScript(cmds);
  return fishScript(cmds);
}

function bashScript(cmds: Command[]): string {
  const top = topWords(cmds).map((t) => t.word);
  const lines = [
    '# bash completion for edge-agent, generated from its command table (edge-agent --completion bash)',
    '_edge_agent() {',
    '  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}',
    '  COMPREPLY=()',
    '  if [ "$COMP_CWORD" -eq 1 ]; then',
    `    COMPREPLY=($(compgen -W '${[...top, ...GLOBAL.flatMap((g) => [`--${g.long}`, `-${g.short}`])].join(' ')}' -- "$cur"))`,
    '    return',
    '  fi',
    '  local cmd=${COMP_WORDS[1]} used=1',
    '  case "$cmd" in',
  ];
  for (const word of top) {
    const subs = cmds.filter((c) => c.words[0] === word && c.words.length === 2);
    if (subs.length === 0) continue;
    lines.push(
      `    ${word})`,
      '      if [ "$COMP_CWORD" -eq 2 ]; then',
      `        COMPREPLY=($(compgen -W '${subs.map((s) => s.words[1]).join(' ')}' -- "$cur"))`,
      '        return',
      '      fi',
      '      cmd="$cmd ${COMP_WORDS[2]}" used=2 ;;',
    );
  }
  lines.push('  esac', '  local flags= positional=', '  case "$cmd" in');
  for (const c of cmds) {
    lines.push(`    '${c.words.join(' ')}')`);
    for (const f of c.flags.filter((x) => x.value)) {
      const opts = [`--${f.long}`, ...(f.short ? [`-${f.short}`] : [])].join('|');
      const reply = f.value!.choices
        ? `compgen -W '${f.value!.choices.join(' ')}' -- "$cur"`
        : f.value!.file
          ? 'compgen -f -- "$cur"'
          : '';
      // A value nobody can guess (seconds, a URL): offer nothing rather than flags.
      lines.push(`      case "$prev" in ${opts}) ${reply ? `COMPREPLY=($(${reply})); ` : ''}return ;; esac`);
    }
    lines.push(
      `      flags='${flagWords(c).join(' ')}'${c.positional ? ` positional='${c.positional.join(' ')}'` : ''} ;;`,
    );
  }
  lines.push(
    '    *) return ;;',
    '  esac',
    '  if [ -n "$positional" ] && [ "$COMP_CWORD" -eq $((used + 1)) ] && [[ $cur != -* ]]; then',
    '    COMPREPLY=($(compgen -W "$positional" -- "$cur"))',
    '    return',
    '  fi',
    '  COMPREPLY=($(compgen -W "$flags" -- "$cur"))',
    '}',
    'complete -o filenames -F _edge_agent edge-agent',
    '',
  );
  return lines.join('\n');
}

/** Text inside single quotes in zsh and fish. */
const sq = (text: string) => text.replace(/'/g, `'\\''`);
/** A description inside _arguments' [...]: brackets and backslashes quoted. */
const zdesc = (text: string) => sq(text.replace(/([[\]\\])/g, '\\$1'));
/** A name:description item of _describe: a colon in the name would end it early. */
const zitem = (name: string, text: string) => `'${sq(name.replace(/:/g, '\\:'))}:${sq(text)}'`;

function zshFlag(f: Flag): string {
  const value = f.value
    ? f.value.choices
      ? `:${f.long}:(${f.value.choices.join(' ')})`
      : f.value.file
        ? ':file:_files'
        : `:${f.long}: `
    : '';
  const spec = `[${zdesc(f.help)}]${value}`;
  return f.short ? `'(-${f.short} --${f.long})'{-${f.short},--${f.long}}'${spec}'` : `'--${f.long}${spec}'`;
}

function zshScript(cmds: Command[]): string {
  const top = topWords(cmds);
  const lines = [
    '#compdef edge-agent',
    '# zsh completion for edge-agent, generated from its command table (edge-agent --completion zsh)',
    '_edge-agent() {',
    '  if (( CURRENT == 2 )); then',
    '    local -a commands',
    `    commands=(${top.map((t) => zitem(t.word, t.summary)).join(' ')})`,
    `    _describe -t commands 'edge-agent command' commands -- '(--help -h)'{--help,-h}'[show help]' '(--version -V)'{--version,-V}'[print the version]'`,
    '    return',
    '  fi',
    '  local cmd=${words[2]}',
    '  case $cmd in',
  ];
  for (const t of top) {
    const subs = cmds.filter((c) => c.words[0] === t.word && c.words.length === 2);
    if (subs.length === 0) continue;
    lines.push(
      `    ${t.word})`,
      '      if (( CURRENT == 3 )); then',
      '        local -a subcommands',
      `        subcommands=(${subs.map((s) => zitem(s.words[1]!, s.summary)).join(' ')})`,
      `        _describe -t commands 'edge-agent ${t.word} command' subcommands`,
      '        return',
      '      fi',
      '      cmd="$cmd ${words[3]}"',
      '      shift words; (( CURRENT-- )) ;;',
    );
  }
  lines.push('  esac', '  shift words; (( CURRENT-- ))', '  case $cmd in');
  for (const c of cmds) {
    const specs = [...c.flags.map(zshFlag), `'(-h --help)'{-h,--help}'[show help]'`];
    if (c.positional) specs.push(`':argument:(${c.positional.join(' ')})'`);
    lines.push(`    '${c.words.join(' ')}') _arguments -s ${specs.join(' ')} ;;`);
  }
  lines.push('  esac', '}', '_edge-agent "$@"', '');
  return lines.join('\n');
}

function fishScript(cmds: Command[]): string {
  const top = topWords(cmds);
  const lines = [
    '# fish completion for edge-agent, generated from its command table (edge-agent --completion fish)',
    '# Whether the words typed so far, after the program, start with the given words.',
    'function __edge_agent_is',
    '    set -l words (commandline -opc)',
    '    test (count $words) -gt (count $argv); or return 1',
    '    for i in (seq (count $argv))',
    '        set -l at (math $i + 1)',
    '        test "$words[$at]" = "$argv[$i]"; or return 1',
    '    end',
    'end',
    'function __edge_agent_at',
    '    test (count (commandline -opc)) -eq $argv[1]',
    'end',
    'complete -c edge-agent -f',
    `complete -c edge-agent -n '__edge_agent_at 1' -s h -l help -d 'show help'`,
    `complete -c edge-agent -n '__edge_agent_at 1' -s V -l version -d 'print the version'`,
    ...top.map((t) => `complete -c edge-agent -n '__edge_agent_at 1' -a '${sq(t.word)}' -d '${sq(t.summary)}'`),
  ];
  for (const c of cmds) {
    if (c.words.length === 2)
      lines.push(
        `complete -c edge-agent -n '__edge_agent_is ${c.words[0]}; and __edge_agent_at 2' -a '${sq(c.words[1]!)}' -d '${sq(c.summary)}'`,
      );
    const when = `__edge_agent_is ${c.words.join(' ')}`;
    for (const f of c.flags) {
      const value = f.value
        ? f.value.choices
          ? ` -x -a '${f.value.choices.join(' ')}'`
          : f.value.file
            ? ' -r -F'
            : ' -x'
        : '';
      lines.push(
        `complete -c edge-agent -n '${when}'${f.short ? ` -s ${f.short}` : ''} -l ${f.long}${value} -d '${sq(f.help)}'`,
      );
    }
    lines.push(`complete -c edge-agent -n '${when}' -s h -l help -d 'show help'`);
    if (c.positional)
      lines.push(
        `complete -c edge-agent -n '${when}; and __edge_agent_at ${c.words.length + 1}' -a '${c.positional.join(' ')}'`,
      );
  }
  lines.push('');
  return lines.join('\n');
}
