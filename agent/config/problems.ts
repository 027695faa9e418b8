// Turn zod issues into ConfigProblems an operator can act on: the file, the key path as written
// in YAML terms (`checks[2].timeoutSec`), the value found (secrets redacted) and what was expected
// in words. Messages are ours, not zod's, so they stay stable across zod versions.
import type { core } from 'zod/mini';
import type { ConfigProblem } from '../errors.js';
import { isRecord, objectFields, schemaAt, type AnySchema } from './schema-walk.js';

export type KeyPath = ReadonlyArray<PropertyKey>;

/** A problem with the position in the file when known (1-based). */
export interface LocatedProblem extends ConfigProblem {
  line?: number;
  column?: number;
}

export type Locate = (path: KeyPath) => { line: number; column: number } | undefined;

export function formatKeyPath(path: KeyPath): string {
  return path
    .map((segment, index) =>
      typeof segment === 'number' ? `[${segment}]` : index === 0 ? String(segment) : `.${String(segment)}`,
    )
    .join('');
}

export function valueAt(data: unknown, path: KeyPath): unknown {
  let value = data;
  for (const segment of path) {
    if (!isRecord(value) && !Array.isArray(value)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value;
}

// Keys whose values are never echoed. hub.key is a path to a key file, not key material.
const secretKey = /pass(word|phrase)?|passwd|token|secret|credential|api[-_]?key|private[-_]?key/i;
const REDACTED = '<redacted>';

/** The value as it may be shown: secret-looking keys and URL passwords replaced. */
export function redact(path: KeyPath, value: unknown): unknown {
  if (path.some((segment) => typeof segment === 'string' && secretKey.test(segment))) return REDACTED;
  if (typeof value === 'string')
    return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/:@\s]*):[^@/\s]*@/i, `$1:${REDACTED}@`);
  if (Array.isArray(value)) return value.map((item, index) => redact([index], item));
  if (isRecord(value))
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redact([key], item)]));
  return value;
}

const typeWords: Record<string, string> = {
  object: 'a mapping of keys',
  array: 'a list',
  int: 'a whole number',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
};

/** One issue → one problem per offending key (an unknown-keys issue may name several). */
export function problemsFromIssue(
  file: string,
  issue: core.$ZodIssue,
  data: unknown,
  root: AnySchema,
  locate: Locate = () => undefined,
): LocatedProblem[] {
  const make = (path: KeyPath, message: string, expected?: string): LocatedProblem => {
    const value = valueAt(data, path);
    const position = locate(path);
    const problem: LocatedProblem = {
      file,
      path: formatKeyPath(path),
      message: position ? `line ${position.line}: ${message}` : message,
      expected,
      ...position,
    };
    if (value !== undefined) problem.value = redact(path, value);
    return problem;
  };
  const path = issue.path;
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = objectFields(schemaAt(root, path, data) ?? root)?.map(([key]) => key) ?? [];
      return issue.keys.map((key) =>
        make(
          [...path, key],
          unknownKeyMessage(key, allowed),
          allowed.length ? `one of ${allowed.join(', ')}` : undefined,
        ),
      );
    }
    case 'invalid_type': {
      const missing = valueAt(data, path) === undefined;
      return [make(path, missing ? 'missing required key' : 'wrong type', typeWords[issue.expected] ?? issue.expected)];
    }
    case 'invalid_value':
      return [make(path, 'not an allowed value', `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`)];
    case 'invalid_union':
      if ('discriminator' in issue && issue.discriminator) {
        const options = (issue as { options?: unknown[] }).options ?? [];
        return [
          make(
            path,
            `unknown ${String(issue.discriminator)}`,
            `one of ${options.map((v) => JSON.stringify(v)).join(', ')}`,
          ),
        ];
      }
      return [make(path, 'does not match any allowed form')];
    case 'too_small':
    case 'too_big':
      return [make(path, issue.code === 'too_small' ? 'too small' : 'too large', describeBound(issue))];
    case 'invalid_format':
      return [
        make(
          path,
          'wrong format',
          issue.message.startsWith('expected ')
            ? issue.message.slice('expected '.length)
            : `a string in ${issue.format} format`,
        ),
      ];
    case 'not_multiple_of':
      return [make(path, 'not a multiple', `a multiple of ${String(issue.divisor)}`)];
    case 'custom':
      return [make(path, issue.message, (issue.params as { expected?: string } | undefined)?.expected)];
    default:
      return [make(path, issue.message)];
  }
}

function describeBound(issue: core.$ZodIssueTooSmall | core.$ZodIssueTooBig): string {
  const small = issue.code === 'too_small';
  const bound = Number(small ? issue.minimum : issue.maximum);
  const inclusive = issue.inclusive !== false;
  if (issue.origin === 'array' || issue.origin === 'set')
    return `${small ? 'at least' : 'at most'} ${bound} item${bound === 1 ? '' : 's'}`;
  if (issue.origin === 'string')
    return small && bound === 1 ? 'a non-empty string' : `${small ? 'at least' : 'at most'} ${bound} characters`;
  return `a number ${small ? (inclusive ? '>=' : '>') : inclusive ? '<=' : '<'} ${bound}`;
}

function unknownKeyMessage(key: string, allowed: string[]): string {
  const guess =
    allowed.find((candidate) => normalize(candidate) === normalize(key)) ??
    allowed.find((candidate) => distance(candidate.toLowerCase(), key.toLowerCase()) <= 2);
  return guess ? `unknown key (did you mean ${guess}?)` : 'unknown key';
}

// restart_window_sec, restart-window-sec and RestartWindowSec all mean restartWindowSec.
const normalize = (key: string) => key.replace(/[-_]/g, '').toLowerCase();

function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}
