// The Readiness section of the human status view: levels shown in words and colour, problems
// listed under their line, sources that could not be asked said so.
import { describe, expect, it } from 'vitest';
import { renderReadiness, type ReadinessStatus } from '../../../../agent/core/readiness/status-section.js';

function draw(r: ReadinessStatus): string[] {
  const out: string[] = [];
  renderReadiness(r, {
    title: (t) => out.push(`# ${t}`),
    kv: (label, value, style) => out.push(`${label}: ${value}${style ? ` [${style}]` : ''}`),
    note: (text, style) => out.push(`  ${text}${style ? ` [${style}]` : ''}`),
    why: (s) => `${s.state}: ${s.note ?? ''}`,
  });
  return out;
}

describe('renderReadiness', () => {
  it('a section that could not be gathered says why', () => {
    expect(draw({ state: 'timed-out', note: 'readiness facts did not answer in 1000 ms' })).toEqual([
      '# Readiness',
      '  timed-out: readiness facts did not answer in 1000 ms [yellow]',
    ]);
  });

  it('failing and warning facts are marked, sources that are missing are said', () => {
    const lines = draw({
      state: 'ok',
      level: 'fail',
      certificates: {
        level: 'fail',
        checked: 1,
        items: [
          { file: '/a.crt', role: 'trust-anchor', level: 'fail', message: '/a.crt: is not PEM' },
          { file: '/b.crt', role: 'hub-ca', daysLeft: 400, level: 'ok', message: '/b.crt expires in 400 days' },
        ],
      },
      fips: { state: 'off', message: 'FIPS mode is off' },
      pullSecret: {
        file: '/etc/crio/openshift-pull-secret',
        present: true,
        valid: false,
        level: 'warn',
        message: '/etc/crio/openshift-pull-secret is not valid JSON',
      },
      components: { state: 'unavailable', note: 'rpm cannot be run' },
      firewall: { state: 'unavailable', note: 'firewalld is not running' },
    });
    expect(lines).toEqual([
      '# Readiness',
      'Certificates: 1 checked, soonest ends in 400 days (failing) [red]',
      '  /a.crt: is not PEM [red]',
      'FIPS: FIPS mode is off',
      'Pull secret: /etc/crio/openshift-pull-secret is not valid JSON (warning) [yellow]',
      'Components: unavailable: rpm cannot be run',
      'Firewall: unavailable: firewalld is not running',
    ]);
  });
});
