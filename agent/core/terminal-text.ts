// Text from elsewhere (a device's status on the hub, a record written by another version, a
// broker's error) goes through here before it reaches a terminal. Control characters in such
// text could move the cursor, clear the screen, set the window title or reorder what the
// operator reads (bidi overrides), so each one is shown as a visible escape instead.
// Pure: no I/O.
import { redactSecrets } from './redact.js';

// C0 controls, DEL, C1 controls (U+0080-U+009F: some terminals read U+009B as CSI), the bidi
// marks, embeddings, overrides and isolates, and the Unicode line and paragraph separators.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const visible = (ch: string): string => {
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
};

/**
 * `text` with every control character shown as `\xNN` / `\uNNNN`. `newlines: true` keeps "\n"
 * (for multi-line values the caller lays out itself); tabs become one space.
 */
export function terminalSafe(text: string, options: { newlines?: boolean } = {}): string {
  return text.replace(UNSAFE, (ch) => (ch === '\n' && options.newlines ? ch : ch === '\t' ? ' ' : visible(ch)));
}

/** What every printer of outside text uses: URL passwords hidden, control characters escaped. */
export function displayText(text: string, options: { newlines?: boolean } = {}): string {
  return terminalSafe(redactSecrets(text), options);
}

/** JSON of `value` for output: URL passwords hidden, safe on a terminal, same value otherwise. */
export function displayJson(value: unknown, indent?: number): string {
  return terminalSafeJson(JSON.stringify(mapStrings(value, redactSecrets), null, indent));
}

// JSON.stringify already escapes U+0000-U+001F; these are the ones it leaves raw.
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * JSON text that is safe on a terminal and still parses to the same value: what
 * JSON.stringify leaves raw is written as a \uNNNN escape.
 */
export function terminalSafeJson(json: string): string {
  return json.replace(UNSAFE_IN_JSON, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A copy of a JSON-like value with `clean` applied to every string in it (keys included). */
export function mapStrings<T>(value: T, clean: (text: string) => string): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return clean(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(v) as object | null)) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [clean(k), walk(x)]));
    }
    return v;
  };
  return walk(value) as T;
}
