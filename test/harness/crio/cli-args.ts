// Command-line parsing the way crictl's urfave/cli v2 does it: global flags before the command,
// command flags before the first argument (a flag after an argument is taken as an argument, so
// `crictl rmp ID -f` tries to remove a pod named "-f", as the real one does), `-o json` and
// `--output=json`, bundled short booleans (`-qa`), repeatable list flags.
//
// What it leaves out: help texts, completion, environment variables other than CRI_CONFIG_FILE.

export type FlagKind = 'bool' | 'string' | 'int' | 'list';
export type FlagSpec = Record<string, { alias?: string; kind: FlagKind; default?: string }>;
export type Flags = Record<string, string | boolean | number | string[] | undefined>;

export class UsageError extends Error {}

/** A failure crictl reports through logrus.Fatal: the message on stderr, exit code 1. */
export class Fatal extends Error {}

export function parseFlags(argv: string[], spec: FlagSpec, stopAtArg = true): { flags: Flags; rest: string[] } {
  const flags: Flags = {};
  for (const [name, s] of Object.entries(spec))
    if (s.default !== undefined) flags[name] = s.kind === 'int' ? Number(s.default) : s.default;
  const byAlias = new Map(
    Object.entries(spec).flatMap(([name, s]) => [
      [name, name] as const,
      ...(s.alias ? [[s.alias, name] as const] : []),
    ]),
  );
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      i += 1;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      if (stopAtArg) break;
      continue;
    }
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const key = eq >= 0 ? body.slice(0, eq) : body;
    const name = byAlias.get(key);
    // Bundled short booleans: -qa is -q -a.
    if (
      !name &&
      !arg.startsWith('--') &&
      eq < 0 &&
      [...key].every((ch) => spec[byAlias.get(ch) ?? '']?.kind === 'bool')
    ) {
      for (const ch of key) flags[byAlias.get(ch)!] = true;
      continue;
    }
    if (!name) throw new UsageError(`flag provided but not defined: -${key}`);
    const kind = spec[name]!.kind;
    if (kind === 'bool') {
      flags[name] = eq >= 0 ? body.slice(eq + 1) !== 'false' : true;
      continue;
    }
    let value: string | undefined;
    if (eq >= 0) value = body.slice(eq + 1);
    else value = argv[++i];
    if (value === undefined) throw new UsageError(`flag needs an argument: -${key}`);
    if (kind === 'list') flags[name] = [...((flags[name] as string[] | undefined) ?? []), value];
    else if (kind === 'int') {
      if (!/^-?\d+$/.test(value)) throw new UsageError(`invalid value "${value}" for flag -${key}: parse error`);
      flags[name] = Number(value);
    } else flags[name] = value;
  }
  return { flags, rest: argv.slice(i) };
}

/** A Go duration such as 2s, 500ms, 1m30s. */
export function parseDuration(text: string): number {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (text === '0') return 0;
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text)
    throw new UsageError(`invalid value "${text}" for flag -timeout: parse error`);
  return parts.reduce((sum, p) => sum + Number(p[1]) * units[p[2]!]!, 0);
}

/** The few `key: value` lines of /etc/crictl.yaml. */
export function parseCrictlConfig(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([\w-]+):\s*(.*?)\s*$/.exec(line);
    if (match) out[match[1]!] = match[2]!.replace(/^["']|["']$/g, '');
  }
  return out;
}
