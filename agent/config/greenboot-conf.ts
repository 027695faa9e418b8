// Parse /etc/greenboot/greenboot.conf without running it. Bash greenboot `source`s this file, so
// it is shell: `KEY=value`, quotes, comments, `export`, and arrays such as
// `DISABLED_HEALTHCHECKS=( "a.sh" "b.sh" )` that may span lines. We understand the assignment
// subset of shell and report everything else as a warning with its line; we never evaluate
// anything ($VAR and $(...) are kept as written). Pure: text in, data out.

export interface GreenbootConfWarning {
  line: number;
  text: string;
  message: string;
}

export interface GreenbootConf {
  /** Every assignment understood, last one wins (as when the file is sourced). */
  values: Record<string, string | string[]>;
  /** GREENBOOT_MAX_BOOT_ATTEMPTS as written (validated by core/budget.ts, like MicroShift does). */
  maxBootAttempts?: string;
  /**
   * GREENBOOT_MAX_BOOTS as written: greenboot ignores it, MicroShift ≤ 4.15 reads it by mistake.
   * core/budget.ts uses it only when GREENBOOT_MAX_BOOT_ATTEMPTS is absent.
   */
  legacyMaxBoots?: string;
  microshiftWaitTimeoutSec?: string;
  watchdogCheckEnabled?: string;
  watchdogGracePeriod?: string;
  /** Script basenames greenboot skips. */
  disabledHealthchecks: string[];
  warnings: GreenbootConfWarning[];
}

class SyntaxProblem extends Error {}

export function parseGreenbootConf(text: string): GreenbootConf {
  const values: Record<string, string | string[]> = {};
  const lineOfKey = new Map<string, number>();
  const warnings: GreenbootConfWarning[] = [];
  const lines = text.split('\n');
  // Line numbers by binary search over the line starts: counting newlines from the top for every
  // statement made a 16 000-line file take seconds (quadratic).
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const lineAt = (offset: number) => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((lineStarts[mid] as number) <= offset) low = mid;
      else high = mid - 1;
    }
    return low + 1;
  };
  const warn = (line: number, message: string) =>
    warnings.push({ line, text: (lines[line - 1] ?? '').trim().slice(0, 120), message });

  let pos = 0;
  const peek = () => text[pos] ?? '';
  const skipBlanks = () => {
    while (peek() === ' ' || peek() === '\t' || peek() === '\r') pos++;
  };
  const skipLine = () => {
    while (pos < text.length && peek() !== '\n') pos++;
  };

  // One shell word: unquoted text, '...' and "..." pieces, backslash escapes.
  const readWord = (inArray: boolean): string => {
    let word = '';
    let expands = false;
    const start = pos;
    const escaped = () => {
      const next = peek();
      pos++;
      return next === '\n' ? '' : next; // backslash-newline continues the line
    };
    for (;;) {
      const c = peek();
      if (c === '' || /[ \t\r\n;]/.test(c) || (inArray && c === ')')) break;
      if ('|&<>()`'.includes(c)) throw new SyntaxProblem(`unexpected "${c}": only plain assignments are understood`);
      pos++;
      if (c === "'") {
        const end = text.indexOf("'", pos);
        if (end < 0) throw new SyntaxProblem('unterminated single quote');
        word += text.slice(pos, end);
        pos = end + 1;
      } else if (c === '"') {
        while (peek() !== '"') {
          const d = peek();
          if (d === '') throw new SyntaxProblem('unterminated double quote');
          pos++;
          expands ||= d === '`' || (d === '$' && /[({A-Za-z_]/.test(peek()));
          word += d === '\\' && '$`"\\\n'.includes(peek()) ? escaped() : d;
        }
        pos++;
      } else if (c === '\\') word += escaped();
      else {
        expands ||= c === '$' && /[({A-Za-z_]/.test(peek());
        word += c;
      }
    }
    if (expands) warn(lineAt(start), 'uses shell expansion, which is not evaluated: the value is taken as written');
    return word;
  };

  const readArray = (): string[] => {
    const open = lineAt(pos);
    pos++; // the "("
    const items: string[] = [];
    for (;;) {
      while (/\s/.test(peek())) pos++;
      if (peek() === '') throw new SyntaxProblem(`array opened on line ${open} is never closed with ")"`);
      if (peek() === '#') skipLine();
      else if (peek() === ')') break;
      else items.push(readWord(true));
    }
    pos++; // the ")"
    return items;
  };

  while (pos < text.length) {
    skipBlanks();
    if (peek() === '\n' || peek() === ';') {
      pos++;
      continue;
    }
    if (peek() === '#' || peek() === '') {
      skipLine();
      continue;
    }
    const line = lineAt(pos);
    const statement = /^(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)(\+?)=/.exec(text.slice(pos, pos + 200));
    if (!statement) {
      warn(line, 'not a KEY=value assignment; ignored');
      skipLine();
      continue;
    }
    const [matched, key = '', append] = statement;
    const resume = pos;
    pos += matched.length;
    try {
      if (append) throw new SyntaxProblem('appending with += is not understood');
      const value = peek() === '(' ? readArray() : readWord(false);
      skipBlanks();
      if (peek() !== '' && peek() !== '\n' && peek() !== ';' && peek() !== '#')
        throw new SyntaxProblem('unexpected text after the value (a command, not an assignment)');
      values[key] = value;
      lineOfKey.set(key, line);
    } catch (error) {
      if (!(error instanceof SyntaxProblem)) throw error;
      warn(line, `${error.message}; ignored`);
      pos = resume;
      skipLine();
    }
  }
  return { values, warnings, ...knownKeys(values, lineOfKey, warn) };
}

type Known = Pick<
  GreenbootConf,
  | 'maxBootAttempts'
  | 'legacyMaxBoots'
  | 'microshiftWaitTimeoutSec'
  | 'watchdogCheckEnabled'
  | 'watchdogGracePeriod'
  | 'disabledHealthchecks'
>;

function knownKeys(
  values: GreenbootConf['values'],
  lineOfKey: Map<string, number>,
  warn: (line: number, message: string) => void,
): Known {
  // `$KEY` of a bash array is its first element; greenboot reads these keys as plain values.
  const scalar = (key: string): string | undefined => {
    const value = values[key];
    if (!Array.isArray(value)) return value;
    warn(lineOfKey.get(key) ?? 0, `${key} is an array; only its first element is used`);
    return value[0];
  };
  const disabled = values.DISABLED_HEALTHCHECKS;
  const known: Known = {
    maxBootAttempts: scalar('GREENBOOT_MAX_BOOT_ATTEMPTS'),
    legacyMaxBoots: scalar('GREENBOOT_MAX_BOOTS'),
    microshiftWaitTimeoutSec: scalar('MICROSHIFT_WAIT_TIMEOUT_SEC'),
    watchdogCheckEnabled: scalar('GREENBOOT_WATCHDOG_CHECK_ENABLED'),
    watchdogGracePeriod: scalar('GREENBOOT_WATCHDOG_GRACE_PERIOD'),
    disabledHealthchecks: Array.isArray(disabled) ? disabled.filter(Boolean) : disabled ? [disabled] : [],
  };
  if (known.legacyMaxBoots !== undefined) {
    const line = lineOfKey.get('GREENBOOT_MAX_BOOTS') ?? 0;
    if (known.maxBootAttempts === undefined) {
      warn(
        line,
        'GREENBOOT_MAX_BOOTS is not read by greenboot, only by MicroShift ≤ 4.15 (a wrong key); it is used because GREENBOOT_MAX_BOOT_ATTEMPTS is unset: set GREENBOOT_MAX_BOOT_ATTEMPTS instead',
      );
    } else {
      warn(
        line,
        'GREENBOOT_MAX_BOOTS is ignored: GREENBOOT_MAX_BOOT_ATTEMPTS is set (only MicroShift ≤ 4.15 reads GREENBOOT_MAX_BOOTS, by mistake)',
      );
    }
  }
  return known;
}
