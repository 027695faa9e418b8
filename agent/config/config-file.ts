// Read one config file for the loader. The YAML parser is loaded only for a file that holds
// settings: the shipped config.yaml is all comments, and `status` and the daemon read it on
// every start. Bad input is returned as problems, never thrown: the loader decides what is fatal.
import { NotRegularFileError } from '../errors.js';
import type { ConfigFiles } from './config-files.js';
import type { LocatedProblem } from './problems.js';
import { isRecord } from './schema-walk.js';
import type { YamlFile } from './yaml-file.js';

export async function readConfigFile(fs: ConfigFiles, file: string): Promise<YamlFile> {
  let text: string | undefined;
  try {
    text = await fs.readText(file);
  } catch (error) {
    return { status: 'invalid', problems: [unreadable(file, error)] };
  }
  if (text === undefined) {
    // exists() does not follow symlinks: true here means a link whose target is gone, which is
    // a mistake to report, not a file the operator left out.
    if (await fs.exists(file))
      return {
        status: 'invalid',
        problems: [
          {
            file,
            path: '',
            message: 'not read: it is a symlink to a file that does not exist',
            expected: 'a regular file',
          },
        ],
      };
    return { status: 'missing' };
  }
  // Nothing but comments, blank lines and document markers is the empty mapping YAML makes of it.
  if (!holdsSettings(text)) return { status: 'ok', data: {}, locate: () => undefined };
  const { parseYamlText } = await import('./yaml-file.js');
  return parseYamlText(file, text);
}

/**
 * False when every line is blank, a comment or the one `---` document start (the shipped file).
 * Anything else, a second document marker included, goes to the parser and its checks.
 */
export function holdsSettings(text: string): boolean {
  let starts = 0;
  return text.split('\n').some((line) => {
    const trimmed = line.trim();
    if (trimmed === '---') return ++starts > 1;
    return trimmed !== '' && !trimmed.startsWith('#');
  });
}

function unreadable(file: string, error: unknown): LocatedProblem {
  if (error instanceof NotRegularFileError)
    return { file, path: '', message: `not read: it is ${error.kind}`, expected: 'a regular file' };
  const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  return { file, path: '', message: `cannot read the file (${code})` };
}

/** Deep merge for drop-ins: mappings merge key by key, lists and scalars replace. */
export function mergeConfig(base: unknown, over: unknown): unknown {
  if (!isRecord(base) || !isRecord(over)) return over;
  const out: Record<string, unknown> = {};
  for (const source of [base, over]) {
    for (const [key, item] of Object.entries(source)) {
      const merged = source === over && Object.hasOwn(base, key) ? mergeConfig(base[key], item) : item;
      Object.defineProperty(out, key, { value: merged, enumerable: true, writable: true, configurable: true });
    }
  }
  return out;
}
