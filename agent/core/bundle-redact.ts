// What a support bundle must never carry: secrets in edge-agent's config, the pull secret's
// credentials, the hub key. Two layers, because a bundle leaves the device: config values are
// redacted by key name and URL password, and then every collected text has each secret this
// device is known to hold replaced, so a secret that reached a journal line or a tool's output is
// caught too. Pure: the caller reads the files.
import { REDACTED, redactSecrets } from './redact.js';

// Key names whose values are credentials. A path value (hub.key: /etc/...key) names a file and is
// kept: it tells the reader where the key lives without revealing it.
const SECRET_KEY = /pass(word|wd|phrase)?$|secret|token|credential|api[-_]?key|private|^auth$|^key$/i;

const isPath = (value: string) => /^\/[^\s]*$/.test(value);

/** A parsed config document with secret values replaced; the structure is kept. */
export function redactConfigValue(value: unknown, key = ''): unknown {
  if (typeof value === 'string') {
    if (SECRET_KEY.test(key) && !isPath(value)) return REDACTED;
    return redactSecrets(value);
  }
  if (Array.isArray(value)) return value.map((item) => redactConfigValue(item, key));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactConfigValue(v, k)]));
  return value;
}

// The password of every scheme://user:password@ in a text.
const URL_PASSWORD = /\b[a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*:([^\s/?#]*)@/gi;

/** Secrets worth hunting for in config text: URL passwords and values of secret-named keys. */
export function secretsInConfig(text: string, parsed: unknown): string[] {
  const found = [...text.matchAll(URL_PASSWORD)].map((m) => m[1] ?? '');
  const walk = (value: unknown, key: string) => {
    if (typeof value === 'string' && SECRET_KEY.test(key) && !isPath(value)) found.push(value);
    else if (Array.isArray(value)) value.forEach((item) => walk(item, key));
    else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, k);
  };
  walk(parsed, '');
  return found;
}

function decodeBase64(value: string): string {
  try {
    return atob(value);
  } catch {
    return '';
  }
}

/** Credentials in a container pull secret: each auth string, its decoded password, and any token. */
export function secretsInPullSecret(text: string): string[] {
  const found = [text.trim()];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: the whole text (and each of its lines) is all we can hunt for.
    return [...found, ...text.split('\n').map((line) => line.trim())];
  }
  const walk = (value: unknown) => {
    if (typeof value === 'string') {
      found.push(value);
      const decoded = decodeBase64(value);
      const colon = decoded.indexOf(':');
      if (colon > 0 && /^[\x20-\x7e]+$/.test(decoded)) found.push(decoded, decoded.slice(colon + 1));
    } else if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(parsed);
  return found;
}

/** The base64 body lines of a PEM key (each would give part of the key away). */
export function secretsInPem(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('-----'));
}

// Shorter strings (registry names, "true", user names) would blank out ordinary text and give
// nothing away on their own.
const MIN_SECRET = 8;

/** A function that replaces every known secret (longest first) and every URL password in a text. */
export function makeScrubber(secrets: string[]): (text: string) => string {
  const unique = [...new Set(secrets.filter((s) => s.length >= MIN_SECRET))].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = redactSecrets(text);
    for (const secret of unique) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out;
  };
}
