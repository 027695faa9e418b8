// Event ids: ULIDs (48-bit milliseconds + 80 random bits, Crockford base32, 26 characters). They
// sort by creation time, so the hub can order what it de-duplicates. Within one millisecond the
// random part is incremented, so ids from one generator are strictly increasing even when the
// clock stands still or steps back (an NTP correction must not reorder events).
import { randomBytes } from 'node:crypto';
import type { Clock } from '../host/clock.js';

const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export type IdGenerator = () => string;

export function createIdGenerator(
  clock: Pick<Clock, 'now'>,
  random: (size: number) => Buffer = randomBytes,
): IdGenerator {
  let lastMs = -1;
  let last: Buffer = Buffer.alloc(10);
  return () => {
    const now = clock.now();
    if (now > lastMs) {
      lastMs = now;
      last = random(10);
    } else {
      increment(last);
    }
    return encodeTime(lastMs) + encodeRandom(last);
  };
}

function increment(bytes: Buffer): void {
  for (let i = bytes.length - 1; i >= 0; i -= 1) {
    const value = bytes[i] ?? 0;
    if (value < 255) {
      bytes[i] = value + 1;
      return;
    }
    bytes[i] = 0;
  }
}

function encodeTime(ms: number): string {
  let out = '';
  let rest = Math.floor(ms);
  for (let i = 0; i < 10; i += 1) {
    out = alphabet[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

/** 80 bits as 16 base32 digits, most significant first. */
function encodeRandom(bytes: Buffer): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const byte of bytes) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += alphabet[(acc >> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  return out;
}

/** Milliseconds encoded in an id (for tests and hub-side tools). */
export function idTime(id: string): number {
  let ms = 0;
  for (const char of id.slice(0, 10)) ms = ms * 32 + alphabet.indexOf(char);
  return ms;
}
