// Certificate expiry levels: ok beyond 30 days, a warning within 30, failing within 7, and failing
// when expired or not valid yet; files that could not be used fail and name the file.
import { describe, expect, it } from 'vitest';
import {
  assessCertificate,
  summarizeCertificates,
  type CertificateFacts,
} from '../../../../agent/core/readiness/certificates.js';

const NOW = Date.parse('2026-12-04T12:00:00Z');
const DAY = 86_400_000;
const cert = (days: number, over: Partial<CertificateFacts> = {}): CertificateFacts => ({
  file: '/etc/edge-agent/hub.crt',
  role: 'hub-client',
  index: 1,
  subject: 'CN=device-a',
  notBefore: NOW - 30 * DAY,
  notAfter: NOW + days * DAY + 1000,
  ...over,
});

describe('assessCertificate', () => {
  it.each<[string, CertificateFacts, string, RegExp]>([
    ['a year left', cert(365), 'ok', /expires in 365 days/],
    ['30 days left', cert(30), 'ok', /expires in 30 days/],
    ['29 days left', cert(29), 'warn', /expires in 29 days/],
    ['7 days left', cert(7), 'warn', /expires in 7 days/],
    ['6 days left', cert(6), 'fail', /expires in 6 days/],
    ['expired yesterday', cert(-2), 'fail', /expired on 2026-12-02/],
    ['not valid yet', cert(100, { notBefore: NOW + DAY }), 'fail', /is not valid before 2026-12-05.*clock/],
  ])('%s: %s', (_name, c, level, message) => {
    const a = assessCertificate(c, NOW);
    expect(a.level).toBe(level);
    expect(a.message).toMatch(message);
    expect(a.message).toContain('/etc/edge-agent/hub.crt (CN=device-a)');
  });

  it('names the position of a certificate inside a bundle', () => {
    expect(assessCertificate(cert(3, { index: 2 }), NOW).message).toMatch(/^\/etc\/edge-agent\/hub.crt #2 /);
  });
});

describe('summarizeCertificates', () => {
  it('puts the worst first and takes its level', () => {
    const s = summarizeCertificates(
      [cert(200), cert(20, { file: '/a.pem', role: 'trust-anchor' }), cert(3, { file: '/b.pem' })],
      [],
      NOW,
    );
    expect(s.level).toBe('fail');
    expect(s.checked).toBe(3);
    expect(s.items.map((i) => [i.file, i.level])).toEqual([
      ['/b.pem', 'fail'],
      ['/a.pem', 'warn'],
      ['/etc/edge-agent/hub.crt', 'ok'],
    ]);
  });

  it('a file that could not be used fails with its own message', () => {
    const s = summarizeCertificates(
      [cert(200)],
      [{ file: '/etc/pki/ca-trust/source/anchors/x.pem', role: 'trust-anchor', problem: 'is not PEM' }],
      NOW,
    );
    expect(s.level).toBe('fail');
    expect(s.items[0]).toMatchObject({
      level: 'fail',
      message: '/etc/pki/ca-trust/source/anchors/x.pem: is not PEM',
    });
  });

  it('nothing to check is ok', () => {
    expect(summarizeCertificates([], [], NOW)).toEqual({ level: 'ok', checked: 0, items: [] });
  });
});
