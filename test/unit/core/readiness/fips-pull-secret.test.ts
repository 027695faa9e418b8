// FIPS mode as a fact, and the pull secret's validity: messages name the file and what is wrong,
// never the content.
import { describe, expect, it } from 'vitest';
import { decideFips } from '../../../../agent/core/readiness/fips.js';
import { assessPullSecret } from '../../../../agent/core/readiness/pull-secret.js';

describe('decideFips', () => {
  it.each<[string, Parameters<typeof decideFips>[0], string, RegExp]>([
    ['RHEL for Edge', { ostreeBooted: true, fipsEnabled: '0\n' }, 'not-supported', /not supported on RHEL for Edge/],
    [
      'RHEL for Edge, flag set',
      { ostreeBooted: true, fipsEnabled: '1\n' },
      'on',
      /FIPS mode is on .*but FIPS mode is not supported on RHEL for Edge/,
    ],
    ['RPM host, FIPS on', { ostreeBooted: false, fipsEnabled: '1\n' }, 'on', /FIPS mode is on/],
    ['RPM host, FIPS off', { ostreeBooted: false, fipsEnabled: '0\n' }, 'off', /FIPS mode is off/],
    ['no flag file', { ostreeBooted: false }, 'unknown', /fips_enabled is absent/],
    ['garbage', { ostreeBooted: false, fipsEnabled: 'yes' }, 'unknown', /holds 'yes', expected 0 or 1/],
  ])('%s', (_name, input, state, message) => {
    const fact = decideFips(input);
    expect(fact.state).toBe(state);
    expect(fact.message).toMatch(message);
  });
});

describe('assessPullSecret', () => {
  const FILE = '/etc/crio/openshift-pull-secret';
  const SECRET = 'c2VjcmV0LXRva2VuLTEyMw==';
  it.each<[string, string, string[], { valid: boolean; problem?: RegExp; registries?: number }]>([
    ['valid', JSON.stringify({ auths: { 'quay.io': { auth: SECRET } } }), [], { valid: true, registries: 1 }],
    ['not JSON', `{"auths": {"quay.io": {"auth": "${SECRET}"`, [], { valid: false, problem: /is not valid JSON/ }],
    ['garbage text', `auth=${SECRET}`, [], { valid: false, problem: /is not valid JSON/ }],
    ['an array', '[1]', [], { valid: false, problem: /expected a JSON object with an "auths" object, found an array/ }],
    ['no auths', JSON.stringify({ other: SECRET }), [], { valid: false, problem: /no "auths" key/ }],
    ['auths a string', JSON.stringify({ auths: SECRET }), [], { valid: false, problem: /"auths" is a string/ }],
    [
      'mirror missing',
      JSON.stringify({ auths: { 'quay.io': { auth: SECRET } } }),
      ['mirror.example.com:5000'],
      { valid: true, problem: /no entry for the mirror registry mirror.example.com:5000/ },
    ],
    [
      'mirror present (URL form key)',
      JSON.stringify({ auths: { 'https://Mirror.example.com:5000/v2/': { auth: SECRET } } }),
      ['mirror.example.com:5000'],
      { valid: true },
    ],
  ])('%s', (_name, text, mirrors, expected) => {
    const fact = assessPullSecret(FILE, text, mirrors);
    expect(fact.valid).toBe(expected.valid);
    if (expected.registries !== undefined) expect(fact.registries).toBe(expected.registries);
    if (expected.problem) {
      expect(fact.problem).toMatch(expected.problem);
      expect(fact.problem).toContain(FILE);
    } else expect(fact.problem).toBeUndefined();
    // The credential never reaches any message.
    expect(JSON.stringify(fact)).not.toContain(SECRET);
    expect(JSON.stringify(fact)).not.toContain('c2VjcmV0');
  });
});
