// Readiness findings in status's problems list (each with what to do, never an error), the
// compatibility and images lines of the Readiness section, and their compact form for the hub.
import { describe, expect, it } from 'vitest';
import { buildReadinessSection, hubReadiness, type ReadinessFacts } from '../../../../agent/core/readiness/facts.js';
import { readinessProblems } from '../../../../agent/core/readiness/problems.js';
import { renderReadiness, type ReadinessStatus } from '../../../../agent/core/readiness/status-section.js';
import { checkCompatibility } from '../../../../agent/core/readiness/compat.js';
import { compareImages } from '../../../../agent/core/readiness/offline.js';
import type { UpdateReadiness } from '../../../../agent/core/readiness/update.js';

const NOW = Date.parse('2026-12-04T12:00:00Z');
const DAY = 86_400_000;
const SECRET = '/etc/crio/openshift-pull-secret';

function facts(over: Partial<ReadinessFacts> = {}): ReadinessFacts {
  return {
    certificates: { certs: [], problems: [] },
    fips: { ostreeBooted: true, fipsEnabled: '0' },
    pullSecret: { file: SECRET, state: 'absent' },
    components: { state: 'unavailable', note: 'rpm is not installed' },
    firewall: { state: 'unavailable', note: 'firewalld is not running' },
    ...over,
  };
}

function update(
  over: Partial<UpdateReadiness> & { images?: string[]; local?: string[] } = {},
): ReadinessFacts['update'] {
  const { images = ['quay.io/a:1', 'quay.io/b:2'], local = images, ...rest } = over;
  return {
    state: 'ok',
    value: {
      microshiftInstalled: true,
      compatibility: checkCompatibility({ rhel: '9.4', microshift: '4.17.3' }),
      offline: {
        tree: 'booted',
        result: {
          ok: true,
          value: compareImages(
            [{ file: 'release.json', images }],
            local.map((t) => ({ repoTags: [t], repoDigests: [] })),
          ),
        },
      },
      ...rest,
    },
  };
}

const status = (f: ReadinessFacts): ReadinessStatus => ({ state: 'ok', ...buildReadinessSection(f, NOW) });
const codes = (f: ReadinessFacts) => readinessProblems(status(f)).map((p) => p.code);

describe('readinessProblems', () => {
  it('a healthy device has none', () => {
    expect(readinessProblems(status(facts({ update: update() })))).toEqual([]);
  });

  it('a section that was not gathered adds none (its own line says why)', () => {
    expect(readinessProblems({ state: 'timed-out', note: 'no answer' })).toEqual([]);
    expect(readinessProblems(undefined)).toEqual([]);
  });

  it('an expiring hub certificate, with how to renew it', () => {
    const f = facts({
      certificates: {
        certs: [
          {
            file: '/etc/edge-agent/hub.crt',
            role: 'hub-client',
            index: 1,
            subject: 'CN=dev',
            notBefore: 0,
            notAfter: NOW + 10.5 * DAY,
          },
        ],
        problems: [
          { file: '/etc/pki/ca-trust/source/anchors/x.pem', role: 'trust-anchor', problem: 'no PEM certificate in it' },
        ],
      },
    });
    const problems = readinessProblems(status(f));
    expect(problems).toEqual([
      {
        severity: 'warning',
        code: 'certificate-unreadable',
        message: 'Certificate file /etc/pki/ca-trust/source/anchors/x.pem: no PEM certificate in it',
        action: 'fix or replace /etc/pki/ca-trust/source/anchors/x.pem (PEM certificates expected)',
      },
      {
        severity: 'warning',
        code: 'certificate-expiring',
        message: expect.stringMatching(/^Certificate \/etc\/edge-agent\/hub.crt \(CN=dev\) expires in 10 days/),
        action: expect.stringMatching(/new hub client certificate/),
      },
    ]);
  });

  it('a malformed pull secret: its file named, its content never', () => {
    const f = facts({
      pullSecret: {
        file: SECRET,
        state: 'read',
        fact: {
          valid: false,
          registries: 0,
          missingMirrors: [],
          problem: `${SECRET} is not valid JSON (syntax error at byte 3)`,
        },
      },
    });
    expect(readinessProblems(status(f))).toEqual([
      {
        severity: 'warning',
        code: 'pull-secret-invalid',
        message: `Pull secret ${SECRET} is not valid JSON (syntax error at byte 3)`,
        action: expect.stringContaining(`rewrite ${SECRET} as {"auths"`),
      },
    ]);
  });

  it('an unsupported pair, and a staged jump that is no supported path', () => {
    const pairOnly = update({ compatibility: checkCompatibility({ rhel: '9.2', microshift: '4.17.3' }) });
    expect(readinessProblems(status(facts({ update: pairOnly })))).toEqual([
      {
        severity: 'warning',
        code: 'unsupported-version',
        message: 'Compatibility: booted MicroShift 4.17 is not supported on RHEL 9.2 (supported: RHEL 9.4)',
        action: expect.stringMatching(/supported RHEL\/MicroShift pair/),
      },
    ]);
    const jump = update({
      compatibility: checkCompatibility({
        rhel: '9.4',
        microshift: '4.16.1',
        staged: { rhel: '9.6', microshift: '4.19.0' },
      }),
    });
    const [p] = readinessProblems(status(facts({ update: jump })));
    expect(p?.message).toContain('MicroShift 4.16 -> 4.19 is not a supported update path');
    expect(p?.action).toMatch(/^do not reboot into the staged deployment/);
  });

  it('a version that could not be read is said as unknown, not as an unsupported pair', () => {
    const reason = '/usr/share/microshift/release/release-x86_64.json: not JSON (Unexpected end of JSON input)';
    const unreadable = update({
      compatibility: { level: 'warning', reasons: [reason], unreadable: [reason], booted: { rhel: '9.4' } },
    });
    expect(readinessProblems(status(facts({ update: unreadable })))).toEqual([
      {
        severity: 'warning',
        code: 'compatibility-unknown',
        message: `Compatibility unknown: ${reason}`,
        action: expect.stringMatching(/^the microshift-release-info package provides the release manifests/),
      },
    ]);
    const both = update({
      compatibility: {
        level: 'warning',
        reasons: ['booted MicroShift 4.17 is not supported on RHEL 9.2 (supported: RHEL 9.4)', reason],
        unreadable: [reason],
        booted: { rhel: '9.2', microshift: '4.17.0' },
      },
    });
    expect(codes(facts({ update: both }))).toEqual(['unsupported-version']);
  });

  it('missing images: a problem on an air-gapped device only', () => {
    const missing = { images: ['quay.io/a:1', 'quay.io/b:2'], local: ['quay.io/a:1'] };
    expect(codes(facts({ update: update(missing) }))).toEqual([]);
    const problems = readinessProblems(status(facts({ update: update({ ...missing, airGapped: true }) })));
    expect(problems).toEqual([
      {
        severity: 'warning',
        code: 'images-missing',
        message: 'Air-gapped device: booted deployment: 1 of 2 images would need a pull: quay.io/b:2',
        action: expect.stringMatching(/copy the missing images/),
      },
    ]);
  });

  it('images that could not be compared: the reason, and where to look', () => {
    const down = update({
      offline: {
        tree: 'booted',
        result: { ok: false, reason: "cannot list CRI-O's images: crictl images: connection error" },
      },
    });
    expect(readinessProblems(status(facts({ update: down })))).toEqual([
      {
        severity: 'warning',
        code: 'images-unknown',
        message: "Offline readiness unknown: cannot list CRI-O's images: crictl images: connection error",
        action: 'systemctl status crio; crictl images',
      },
    ]);
  });

  it('CRI-O refusing an ordinary user is no finding: unknown, and said to need root', () => {
    const reason =
      "cannot list CRI-O's images: crictl images: dial unix /var/run/crio/crio.sock: connect: permission denied";
    const f = facts({ update: update({ offline: { tree: 'booted', result: { ok: false, reason } } }) });
    expect(codes(f)).toEqual([]);
    expect(status(f).update?.offline).toMatchObject({
      level: 'unknown',
      message: `${reason} (run as root to compare images)`,
    });
  });

  it('FIPS on where it is not supported', () => {
    expect(codes(facts({ fips: { ostreeBooted: true, fipsEnabled: '1\n' } }))).toEqual(['fips-unsupported']);
    expect(codes(facts({ fips: { ostreeBooted: false, fipsEnabled: '1\n' } }))).toEqual([]);
  });
});

describe('compatibility and images in the section and the hub summary', () => {
  function draw(r: ReadinessStatus): string[] {
    const out: string[] = [];
    renderReadiness(r, {
      title: () => undefined,
      kv: (label, value, style) =>
        (label === 'Compatibility' || label === 'Images') &&
        out.push(`${label}: ${value}${style ? ` [${style}]` : ''}`),
      note: (text, style) => out.push(`  ${text}${style ? ` [${style}]` : ''}`),
      why: (s) => `${s.state}: ${s.note ?? ''}`,
    });
    return out;
  }

  it('shows the pair and the image count, and says when the part was skipped', () => {
    expect(draw(status(facts({ update: update() })))).toEqual([
      'Compatibility: RHEL 9.4 with MicroShift 4.17.3: a supported pair',
      'Images: booted deployment: all 2 images present',
    ]);
    const skipped = facts({ update: { state: 'skipped', note: 'not read within 0.9 s' } });
    expect(draw(status(skipped))).toEqual(['Compatibility: skipped: not read within 0.9 s']);
  });

  it('the hub gets the levels, the reasons and the image message', () => {
    const f = facts({
      update: update({ images: ['quay.io/a:1', 'quay.io/b:2'], local: [], airGapped: true }),
    });
    const hub = hubReadiness(buildReadinessSection(f, NOW));
    expect(hub).toMatchObject({
      level: 'warn',
      compatibility: { level: 'ok', reasons: [] },
      offline: { level: 'warn', tree: 'booted', missingCount: 2 },
    });
    expect(hub.offline?.message).toBe('booted deployment: 2 of 2 images would need a pull: quay.io/a:1, quay.io/b:2');
    const skipped = hubReadiness(buildReadinessSection(facts({ update: { state: 'skipped', note: 'too slow' } }), NOW));
    expect(skipped.updateNote).toBe('skipped: too slow');
  });
});
