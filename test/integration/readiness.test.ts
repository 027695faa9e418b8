// Production-readiness facts on a virtual edge host: certificate expiry (hub client certificate
// and CA, trust anchors, a mirror registry's CA), FIPS mode, the pull secret, installed component
// versions from the device's rpm database, rpm-ostree layering, and which MicroShift ports
// firewalld admits. Each shows in `status --json` and the human view; what can fail is a wanted
// check (`check --class wanted`), never a required one.
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../agent/core/check-result.js';
import type { ReadinessStatus } from '../../agent/core/readiness/status-section.js';
import { installComponentRpms } from '../harness/component-rpms.js';
import { bootEdgeDevice } from '../harness/edge-device.js';
import { installFirewalld } from '../harness/firewalld.js';
import { scenario } from '../harness/microshift/scenario.js';
import { certificateEndingIn, makeCertificate } from '../harness/short-certs.js';
import type { VirtualDevice } from '../harness/vdev.js';

const PULL_SECRET = '/etc/crio/openshift-pull-secret';
const ANCHORS = '/etc/pki/ca-trust/source/anchors';
const HUB_CERT = '/etc/edge-agent/hub/device.crt';
const HUB_CA = '/etc/edge-agent/hub/ca.crt';
const MIRROR_CONF = '/etc/containers/registries.conf.d/999-microshift-mirror.conf';
const MIRROR = 'mirror.example.com:5000';
// A credential planted in the pull secret: it must never appear in any output.
const PLANTED = 'cGxhbnRlZC1zZWNyZXQtOTg3Ng==';
const CONFIG = stringify({
  wanted: { clockSyncRequired: false },
  hub: { url: 'mqtts://127.0.0.1:1', ca: HUB_CA, cert: HUB_CERT, key: '/etc/edge-agent/hub/device.key' },
});

let device: VirtualDevice;
const certs: Record<string, string> = {};

beforeAll(async () => {
  device = await bootEdgeDevice({
    name: 'readiness',
    boot: false,
    microshift: { state: 'enabled', scenario: scenario('healthy') },
    deployments: [{ version: '9.4.20241101.0', packages: ['vim-enhanced'], removals: ['nano'] }],
  });
  const [year, year2, ca, days20, days3, soon] = await Promise.all([
    certificateEndingIn('anchor-one', 365),
    certificateEndingIn('anchor-two', 400),
    certificateEndingIn('hub-ca', 700),
    certificateEndingIn('device-a', 20),
    certificateEndingIn('device-a', 3),
    certificateEndingIn('mirror-ca', 10),
  ]);
  Object.assign(certs, { year, year2, ca, days20, days3, soon });
  certs.expired = await makeCertificate('device-a', new Date('2024-01-01T00:00:00Z'), new Date('2025-01-01T00:00:00Z'));
  certs.future = await makeCertificate(
    'device-a',
    new Date(Date.now() + 5 * 86_400_000),
    new Date('2030-01-01T00:00:00Z'),
  );
  await device.writeFile('/etc/edge-agent/config.yaml', CONFIG);
  await device.writeFile(`${ANCHORS}/site-bundle.pem`, `${year}${year2}`);
  await device.writeFile(HUB_CA, ca);
  await device.writeFile(HUB_CERT, await certificateEndingIn('device-a', 500));
  await device.writeFile(PULL_SECRET, JSON.stringify({ auths: { 'quay.io': { auth: PLANTED } } }), 0o600);
  await installComponentRpms(device, [
    { name: 'microshift', version: '4.15.12', release: '202404301539.el9' },
    { name: 'microshift-greenboot', version: '4.15.12', release: '202404301539.el9' },
    { name: 'greenboot', version: '0.15.4', release: '1.el9' },
  ]);
  await installFirewalld(device, [
    { name: 'public', interfaces: ['eth0'], services: ['ssh', 'http', 'https'], ports: ['6443/tcp'] },
    { name: 'trusted', target: 'ACCEPT', sources: ['10.42.0.0/16', '169.254.169.1'] },
    { name: 'dmz', ports: ['30000-32767/tcp'] },
  ]);
}, 180_000);

afterAll(async () => {
  await device?.dispose();
});

interface WantedRun {
  exitCode: number;
  results: CheckResult[];
  output: string;
}

async function runWanted(): Promise<WantedRun> {
  const result = await device.exec(['edge-agent', 'check', '--class', 'wanted', '--dry-run', '--json']);
  try {
    const { results } = JSON.parse(result.stdout) as { results: CheckResult[] };
    return { exitCode: result.exitCode, results, output: result.stdout + result.stderr };
  } catch {
    throw new Error(`check --class wanted exited ${result.exitCode} without JSON:\n${result.stdout}\n${result.stderr}`);
  }
}
const resultOf = (run: WantedRun, id: string) => run.results.find((r) => r.id === id);

/**
 * `edge-agent status` with `args`, asked again (up to 30 times, 0.5 s apart) until `answered`
 * accepts its output: on a busy machine a source may time out (the readiness facts have 0.6 s,
 * rpm-ostree status, which the layering needs, 1 s).
 */
async function answeredStatus(
  args: string[],
  answered: (stdout: string) => boolean,
  what: string,
): Promise<{ stdout: string; output: string }> {
  let last = '';
  for (let i = 0; i < 30; i++) {
    const result = await device.exec(['edge-agent', 'status', ...args], { env: { NO_COLOR: '1' } });
    last = result.stdout + result.stderr;
    if (answered(result.stdout)) return { stdout: result.stdout, output: last };
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`status never had ${what}:\n${last}`);
}

type StatusJson = { readiness?: ReadinessStatus; deployments?: { state?: string } };

/** status --json's readiness section, with the deployments (and so the layering) answered. */
async function readiness(): Promise<{ section: ReadinessStatus; output: string }> {
  const { stdout, output } = await answeredStatus(
    ['--json'],
    (out) => {
      const json = JSON.parse(out) as StatusJson;
      return json.readiness?.state === 'ok' && json.deployments?.state !== 'timed-out';
    },
    'readiness facts with deployments answered',
  );
  return { section: (JSON.parse(stdout) as StatusJson).readiness as ReadinessStatus, output };
}

async function withFiles(files: Record<string, string | null>, body: () => Promise<void>): Promise<void> {
  const saved = new Map<string, string | null>();
  for (const path of Object.keys(files)) saved.set(path, device.exists(path) ? await device.readFile(path) : null);
  try {
    for (const [path, content] of Object.entries(files))
      if (content === null) await device.sh(`rm -f ${path}`);
      else await device.writeFile(path, content, path === PULL_SECRET ? 0o600 : 0o644);
    await body();
  } finally {
    for (const [path, content] of saved)
      if (content === null) await device.sh(`rm -f ${path}`);
      else await device.writeFile(path, content, path === PULL_SECRET ? 0o600 : 0o644);
  }
}

describe('a healthy device', () => {
  it('status --json has every fact', async () => {
    const { section, output } = await readiness();
    // Warn only through the compatibility and images part: MicroShift's unit is installed here but
    // the stand-in ships no release manifest (readiness-status.test.ts covers that part with one).
    expect(section.certificates?.level).toBe('ok');
    expect(section.pullSecret?.level).toBe('ok');
    if (section.update?.state === 'ok') {
      expect(section.level).toBe('warn');
      expect(section.update.offline?.message).toMatch(/release-\w+\.json is missing: cannot tell which images/);
    }
    expect(section.certificates?.checked).toBe(4);
    expect(section.certificates?.items.map((i) => `${i.role} ${i.file} #${i.index}`).sort()).toEqual([
      `hub-ca ${HUB_CA} #1`,
      `hub-client ${HUB_CERT} #1`,
      `trust-anchor ${ANCHORS}/site-bundle.pem #1`,
      `trust-anchor ${ANCHORS}/site-bundle.pem #2`,
    ]);
    expect(section.fips).toEqual({
      state: 'not-supported',
      message: 'FIPS mode is not supported on RHEL for Edge (ostree) images',
    });
    expect(section.pullSecret).toMatchObject({ file: PULL_SECRET, present: true, valid: true, registries: 1 });
    expect(section.components).toMatchObject({
      state: 'ok',
      versions: {
        microshift: '4.15.12-202404301539.el9',
        'microshift-greenboot': '4.15.12-202404301539.el9',
        'microshift-olm': null,
        'microshift-gitops': null,
        greenboot: '0.15.4-1.el9',
        'edge-agent': null,
      },
      layered: ['vim-enhanced'],
      removed: ['nano'],
    });
    const ports = Object.fromEntries((section.firewall?.ports ?? []).map((p) => [p.port, p.zones]));
    expect(section.firewall?.state).toBe('ok');
    expect(ports).toEqual({
      '6443/tcp': ['public', 'trusted'],
      '80/tcp': ['public', 'trusted'],
      '443/tcp': ['public', 'trusted'],
      '5353/udp': ['trusted'],
      '30000-32767/tcp': ['trusted'],
      '30000-32767/udp': ['trusted'],
    });
    expect(output).not.toContain(PLANTED);
  });

  it('the human view has a Readiness section', async () => {
    const text = await answeredStatus([], (out) => !out.includes('unknown (timed out)'), 'no timed-out section');
    expect(text.stdout).toMatch(/\nReadiness\n/);
    expect(text.stdout).toMatch(/Certificates: 4 checked, soonest ends in 365 days/);
    expect(text.stdout).toMatch(/FIPS: FIPS mode is not supported on RHEL for Edge/);
    expect(text.stdout).toMatch(/Components: microshift 4\.15\.12-202404301539\.el9, /);
    expect(text.stdout).toMatch(/Layered: vim-enhanced/);
    expect(text.stdout).toMatch(/Removed: nano/);
    expect(text.stdout).toMatch(/Firewall: 6443\/tcp open \(public, trusted\);/);
    expect(text.stdout).not.toContain(PLANTED);
  });

  it('the wanted checks pass', async () => {
    const run = await runWanted();
    expect(resultOf(run, 'certificates')).toMatchObject({ outcome: 'pass', reason: 'ok' });
    expect(resultOf(run, 'pull-secret')).toMatchObject({ outcome: 'pass', reason: 'ok' });
    expect(resultOf(run, 'optional-components')).toMatchObject({ outcome: 'skipped', reason: 'not-installed' });
    expect(resultOf(run, 'firewall-trusted')).toMatchObject({ outcome: 'pass' });
    expect(run.output).not.toContain(PLANTED);
  });
});

describe('certificates', () => {
  it.each<[string, () => Record<string, string>, string, string, RegExp]>([
    [
      'hub certificate ends in 20 days: a warning, the check passes',
      () => ({ [HUB_CERT]: certs.days20! }),
      'pass:certificate-expiring-soon',
      'warn',
      /\/etc\/edge-agent\/hub\/device\.crt \(CN=device-a\) expires in 20 days/,
    ],
    [
      'hub certificate ends in 3 days: the check fails',
      () => ({ [HUB_CERT]: certs.days3! }),
      'fail:certificate-expiring',
      'fail',
      /\/etc\/edge-agent\/hub\/device\.crt \(CN=device-a\) expires in 3 days/,
    ],
    [
      'hub certificate expired',
      () => ({ [HUB_CERT]: certs.expired! }),
      'fail:certificate-expiring',
      'fail',
      /device\.crt \(CN=device-a\) expired on 2025-01-01T00:00:00\.000Z/,
    ],
    [
      'hub certificate not valid yet',
      () => ({ [HUB_CERT]: certs.future! }),
      'fail:certificate-expiring',
      'fail',
      /device\.crt \(CN=device-a\) is not valid before .* \(check the clock\)/,
    ],
    [
      'an anchor that is not PEM',
      () => ({ [`${ANCHORS}/broken.crt`]: 'this is not a certificate\n' }),
      'fail:certificate-unreadable',
      'fail',
      /\/etc\/pki\/ca-trust\/source\/anchors\/broken\.crt: is not PEM: no "-----BEGIN CERTIFICATE-----" block/,
    ],
    [
      'a bundle with one damaged certificate',
      () => ({
        [`${ANCHORS}/damaged.pem`]: `${certs.year}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n`,
      }),
      'fail:certificate-unreadable',
      'fail',
      /anchors\/damaged\.pem: certificate #2 is not a valid PEM certificate/,
    ],
    [
      "a mirror registry's CA ends in 10 days",
      () => ({
        [MIRROR_CONF]: `[[registry]]\nlocation = "quay.io"\n\n[[registry.mirror]]\nlocation = "${MIRROR}/ocp"\n`,
        [`/etc/containers/certs.d/${MIRROR}/ca.crt`]: certs.soon!,
      }),
      'pass:certificate-expiring-soon',
      'warn',
      /certs\.d\/mirror\.example\.com:5000\/ca\.crt \(CN=mirror-ca\) expires in 10 days/,
    ],
  ])('%s', async (_name, files, expected, level, message) => {
    await withFiles(files(), async () => {
      const run = await runWanted();
      const cert = resultOf(run, 'certificates');
      expect(`${cert?.outcome}:${cert?.reason}`).toBe(expected);
      expect(cert?.message).toMatch(message);
      if (level === 'warn') expect(cert?.message).toMatch(/^renew within 30 days: /);
      // Wanted only: the required class never sees it.
      expect(cert?.class).toBe('wanted');
      const { section } = await readiness();
      expect(section.certificates?.level).toBe(level);
      expect(section.certificates?.items[0]?.message).toMatch(message);
    });
  });

  it('never fails a required check run', async () => {
    await withFiles({ [HUB_CERT]: certs.expired! }, async () => {
      // MicroShift is not started on this device: --timeout ends its wait early.
      const result = await device.exec([
        'edge-agent',
        'check',
        '--class',
        'required',
        '--dry-run',
        '--json',
        '--timeout',
        '5',
      ]);
      const { results } = JSON.parse(result.stdout) as { results: CheckResult[] };
      expect(results.map((r) => r.id)).not.toContain('certificates');
    });
  });
});

describe('pull secret', () => {
  it.each<[string, string, Record<string, string>, string, RegExp]>([
    [
      'not JSON',
      `{"auths": {"quay.io": {"auth": "${PLANTED}"`,
      {},
      'fail:pull-secret-invalid',
      /^\/etc\/crio\/openshift-pull-secret is not valid JSON/,
    ],
    [
      'no auths object',
      JSON.stringify({ registries: { 'quay.io': PLANTED } }),
      {},
      'fail:pull-secret-invalid',
      /^\/etc\/crio\/openshift-pull-secret: no "auths" key/,
    ],
    [
      'a mirror configured but absent from auths',
      JSON.stringify({ auths: { 'quay.io': { auth: PLANTED } } }),
      {
        [MIRROR_CONF]: `[[registry]]\nlocation = "quay.io"\n\n[[registry.mirror]]\nlocation = "${MIRROR}/ocp"\n`,
      },
      'fail:pull-secret-mirror-missing',
      /"auths" has no entry for the mirror registry mirror\.example\.com:5000/,
    ],
  ])('%s', async (_name, secret, others, expected, message) => {
    await withFiles({ [PULL_SECRET]: secret, ...others }, async () => {
      const run = await runWanted();
      const ps = resultOf(run, 'pull-secret');
      expect(`${ps?.outcome}:${ps?.reason}`).toBe(expected);
      expect(ps?.message).toMatch(message);
      const { section, output } = await readiness();
      expect(section.pullSecret?.level).toBe('warn');
      expect(section.pullSecret?.message).toMatch(message);
      // The content never shows: not in the check, not in status, not in the journal.
      expect(run.output + output).not.toContain(PLANTED);
      const journal = await device.exec(['journalctl', '-o', 'cat', '--no-pager']);
      expect(journal.stdout).not.toContain(PLANTED);
    });
  });
});

describe('FIPS, components and firewall', () => {
  it('an RPM-installed host (not ostree-booted) reads the kernel flag; this kernel has none', async () => {
    await device.sh('mv /run/ostree-booted /run/ostree-booted.away');
    try {
      const { section } = await readiness();
      // The flag file exists only on kernels with FIPS support; the host tier covers 0 and 1.
      const flag = (await device.exec(['cat', '/proc/sys/crypto/fips_enabled'])).stdout.trim();
      if (flag === '')
        expect(section.fips).toMatchObject({
          state: 'unknown',
          message: expect.stringMatching(/fips_enabled is absent/),
        });
      else expect(section.fips?.state).toBe(flag === '1' ? 'on' : 'off');
    } finally {
      await device.sh('mv /run/ostree-booted.away /run/ostree-booted');
    }
  });

  it('OLM installed: its pods are looked at through the MicroShift API', async () => {
    await installComponentRpms(device, [{ name: 'microshift-olm', version: '4.15.12', release: '202404301539.el9' }]);
    try {
      await device.sh('systemctl stop microshift.service || true');
      const { section } = await readiness();
      expect(section.components?.versions?.['microshift-olm']).toBe('4.15.12-202404301539.el9');
      const run = await runWanted();
      // MicroShift is stopped: the check says it could not ask, and is a wanted failure only.
      expect(resultOf(run, 'optional-components')).toMatchObject({
        outcome: 'fail',
        reason: 'api-unavailable',
        class: 'wanted',
      });
    } finally {
      await device.sh('rpm -e --justdb --nodeps microshift-olm');
    }
  });

  it('firewalld stopped: the ports are unknown, said so', async () => {
    await device.sh('systemctl stop firewalld.service');
    try {
      const { section } = await readiness();
      expect(section.firewall).toEqual({ state: 'unavailable', note: 'firewalld is not running' });
    } finally {
      await device.sh('systemctl start firewalld.service');
    }
  });
});
