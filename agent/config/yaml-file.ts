// Parse one YAML config file into plain data, with a way to find the line of any key path.
// Bad input is returned as problems, never thrown: the loader decides what is fatal. Loaded only
// for a file that holds settings (config-file.ts reads the file and decides).
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import type { KeyPath, Locate, LocatedProblem } from './problems.js';
import { isRecord } from './schema-walk.js';

export type YamlFile =
  | { status: 'missing' }
  | { status: 'invalid'; problems: LocatedProblem[] }
  | { status: 'ok'; data: Record<string, unknown>; locate: Locate };

export function parseYamlText(file: string, text: string): YamlFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  if (doc.errors.length > 0) {
    // Only yaml's first sentence: its code frame would echo file content, secrets included.
    const problems = doc.errors.map((error): LocatedProblem => {
      const position = error.linePos?.[0];
      const reason = error.message.split(/ at line \d+/)[0] ?? error.code;
      const where = position ? ` at line ${position.line}, column ${position.col}` : '';
      return {
        file,
        path: '',
        message: `YAML syntax error${where}: ${reason}`,
        ...(position && { line: position.line, column: position.col }),
      };
    });
    return { status: 'invalid', problems };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return {
      status: 'invalid',
      problems: [{ file, path: '', message: `YAML cannot be used: ${(error as Error).message}` }],
    };
  }
  data = withoutNulls(data ?? {});
  if (!isRecord(data))
    return {
      status: 'invalid',
      problems: [
        {
          file,
          path: '',
          message: 'the top level is not a mapping of keys',
          value: Array.isArray(data) ? 'a list' : data,
          expected: 'a mapping of keys',
        },
      ],
    };
  return { status: 'ok', data, locate: (path) => locateKey(doc, lineCounter, path) };
}

/**
 * An empty value (`key:` or `key: null`) means "not set, use the default". Uncommenting `hub:`
 * but none of its keys in the shipped config must not be an error. Keys are copied as own
 * properties so a `__proto__` key stays an ordinary (unknown, hence reported) key.
 */
export function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item === null || item === undefined) continue;
    Object.defineProperty(out, key, {
      value: withoutNulls(item),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

// The position of the deepest key of `path` present in the file: the key itself for mappings,
// the item for lists. Undefined when not even the first key is in this file.
function locateKey(
  doc: Document,
  lineCounter: LineCounter,
  path: KeyPath,
): { line: number; column: number } | undefined {
  let node: unknown = doc.contents;
  let found: Node | undefined;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) break;
      found = pair.key as Node;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (!item) break;
      found = item as Node;
      node = item;
    } else break;
  }
  const offset = found?.range?.[0];
  if (offset === undefined) return undefined;
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}
