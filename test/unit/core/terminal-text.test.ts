// The helpers every printer of outside text goes through: control characters shown as visible
// escapes, URL passwords hidden, JSON that still parses to the same value.
import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../../agent/core/redact.js';
import {
  displayJson,
  displayText,
  mapStrings,
  terminalSafe,
  terminalSafeJson,
} from '../../../agent/core/terminal-text.js';

// What a hostile string would do on a terminal: set the window title, clear the screen and home
// the cursor, the same through the 8-bit CSI (U+009B), ring the bell, erase with DEL, and
// reverse the rest of the line with a bidi override.
const TITLE = '\x1b]0;owned\x07';
const CLEAR = '\x1b[2J\x1b[H';
const C1_CLEAR = '\u009b2J';
const BIDI = '\u202egnp.exe';
// Everything a terminal would act on, other than the plain newline.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const ACTIVE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('terminalSafe', () => {
  it.each([
    [`red${TITLE}`, 'red\\x1b]0;owned\\x07'],
    [`${CLEAR}fake table`, '\\x1b[2J\\x1b[Hfake table'],
    [C1_CLEAR, '\\x9b2J'],
    [`x\x7fy\x00z`, 'x\\x7fy\\x00z'],
    [BIDI, '\\u202egnp.exe'],
    ['a\u2066b\u2069c\u200fd\u061c', 'a\\u2066b\\u2069c\\u200fd\\u061c'],
    ['line\u2028two', 'line\\u2028two'],
    ['one\ntwo\rthree', 'one\\x0atwo\\x0dthree'],
    ['tab\there', 'tab here'],
  ])('%j -> %s', (input, shown) => {
    expect(terminalSafe(input)).toBe(shown);
    expect(terminalSafe(input)).not.toMatch(ACTIVE);
  });

  it('leaves ordinary text alone, non-ASCII letters included', () => {
    for (const text of ['device-a', '9.4.20240701.0 -> 9.4.20240612.0', 'Grüße 日本 🚀', 'C:\\path "quoted"'])
      expect(terminalSafe(text)).toBe(text);
  });

  it('keeps newlines only when asked', () => {
    expect(terminalSafe('a\nb\x1b', { newlines: true })).toBe('a\nb\\x1b');
  });
});

describe('terminalSafeJson', () => {
  it('escapes what JSON.stringify leaves raw and parses back to the same value', () => {
    const value = { id: `dev${TITLE}`, reason: `${C1_CLEAR}${BIDI}\x7f`, list: [CLEAR, 'plain'] };
    const json = terminalSafeJson(JSON.stringify(value));
    expect(json).not.toMatch(ACTIVE);
    expect(JSON.parse(json)).toEqual(value);
    expect(JSON.stringify(value)).toMatch(ACTIVE);
  });
});

describe('redactSecrets', () => {
  it.each([
    ['mqtts://user:hunter2@hub.example.com:8883', 'mqtts://user:***@hub.example.com:8883'],
    ['mqtts://:hunter2@hub:8883/path', 'mqtts://:***@hub:8883/path'],
    [
      'cannot connect to mqtt://me:p@ss@10.0.0.5:1883: refused',
      'cannot connect to mqtt://me:***@10.0.0.5:1883: refused',
    ],
    ['two: https://a:b@x/ and wss://c:d@y?q=1', 'two: https://a:***@x/ and wss://c:***@y?q=1'],
    ['mqtts://hub.example.com:8883', 'mqtts://hub.example.com:8883'],
    ['mqtts://token-only@hub:8883', 'mqtts://token-only@hub:8883'],
    ['time 10:15:00 at host', 'time 10:15:00 at host'],
  ])('%s', (input, shown) => {
    expect(redactSecrets(input)).toBe(shown);
  });
});

describe('displayText, displayJson and mapStrings', () => {
  it('hide the password and escape controls in one step', () => {
    expect(displayText(`mqtts://u:pw@h:8883${CLEAR}`)).toBe('mqtts://u:***@h:8883\\x1b[2J\\x1b[H');
    const json = displayJson({ broker: 'mqtts://u:pw@h:8883', note: BIDI }, 2);
    expect(json).not.toContain('pw');
    expect(json).not.toMatch(ACTIVE);
    expect(JSON.parse(json)).toEqual({ broker: 'mqtts://u:***@h:8883', note: BIDI });
  });

  it('mapStrings reaches every string, keys and nested arrays included, and keeps other values', () => {
    const input = { a: 'x', n: 1, b: true, none: null, list: ['y', { deep: 'z', [`k${TITLE}`]: 2 }] };
    expect(mapStrings(input, (s) => s.toUpperCase())).toEqual({
      A: 'X',
      N: 1,
      B: true,
      NONE: null,
      LIST: ['Y', { DEEP: 'Z', [`K${TITLE}`.toUpperCase()]: 2 }],
    });
  });
});
