// What the support bundle's redaction takes out of config and tool output, and what it leaves.
import { describe, expect, it } from 'vitest';
import {
  makeScrubber,
  redactConfigValue,
  secretsInConfig,
  secretsInPem,
  secretsInPullSecret,
} from '../../../agent/core/bundle-redact.js';

describe('redactConfigValue', () => {
  it('hides values of secret-named keys and URL passwords, keeps paths and everything else', () => {
    const config = {
      hub: { url: 'mqtts://dev:s3cret-pass@hub:8883', key: '/etc/edge-agent/hub/device.key', deviceId: 'store-1' },
      extra: { token: 'tok-123456789', password: 'pw-123456789', apiKey: 'ak-123456789', auth: 'YWI6Y2Q=' },
      checks: [{ id: 'web', url: 'https://u:p4ss@app/healthz' }],
      retries: 3,
    };
    expect(redactConfigValue(config)).toEqual({
      hub: { url: 'mqtts://dev:***@hub:8883', key: '/etc/edge-agent/hub/device.key', deviceId: 'store-1' },
      extra: { token: '***', password: '***', apiKey: '***', auth: '***' },
      checks: [{ id: 'web', url: 'https://u:***@app/healthz' }],
      retries: 3,
    });
  });
});

describe('secrets to hunt for', () => {
  it('finds URL passwords and secret-named values in config', () => {
    const text = 'hub:\n  url: mqtts://dev:s3cret-pass@hub:8883\nx:\n  token: tok-123456789\n';
    expect(secretsInConfig(text, { hub: { url: '' }, x: { token: 'tok-123456789' } })).toEqual([
      's3cret-pass',
      'tok-123456789',
    ]);
  });

  it('finds each auth of a pull secret and the password inside it', () => {
    const auth = btoa('robot:pull-pa55word');
    const found = secretsInPullSecret(JSON.stringify({ auths: { 'quay.io': { auth, email: 'x@y' } } }));
    expect(found).toContain(auth);
    expect(found).toContain('pull-pa55word');
  });

  it('treats a pull secret that is not JSON as secret line by line', () => {
    expect(secretsInPullSecret('not json\nsecret-line-here\n')).toContain('secret-line-here');
  });

  it('takes the body lines of a PEM key, not its armour', () => {
    expect(secretsInPem('-----BEGIN PRIVATE KEY-----\nAAAABBBBCCCC\nDDDD\n-----END PRIVATE KEY-----\n')).toEqual([
      'AAAABBBBCCCC',
      'DDDD',
    ]);
  });
});

describe('makeScrubber', () => {
  it('replaces every occurrence of each known secret, longest first, and URL passwords', () => {
    const scrub = makeScrubber(['pull-pa55word', 'robot:pull-pa55word', 'short']);
    expect(scrub('a robot:pull-pa55word b pull-pa55word c short mqtt://u:x@h')).toBe(
      'a *** b *** c short mqtt://u:***@h',
    );
  });
});
