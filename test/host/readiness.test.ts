// The readiness adapters against a re-rooted host tree: real PEM files made by openssl, the FIPS
// flag at its /proc path under the root (this machine's kernel may have none), the pull secret,
// and rpm / firewall-cmd answering as they do on RHEL (exit codes included).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readCertificateDir, readCertificateFile } from '../../agent/host/certificates.js';
import { readFipsInput } from '../../agent/host/fips.js';
import { readFirewallZones } from '../../agent/host/firewall.js';
import { createHostFs } from '../../agent/host/fs.js';
import { gatherReadiness } from '../../agent/host/readiness.js';
import { queryComponents } from '../../agent/host/rpm.js';
import { decideFips } from '../../agent/core/readiness/fips.js';
import { FakeExec } from '../fakes/exec.js';
import { certificateEndingIn } from '../harness/short-certs.js';

let root: string;
let pem30: string;
let pem400: string;

beforeAll(async () => {
  [pem30, pem400] = await Promise.all([certificateEndingIn('thirty', 30), certificateEndingIn('four-hundred', 400)]);
}, 60_000);
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'edge-readiness-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function put(path: string, content: string | Buffer): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), content);
}

describe('certificate files', () => {
  it('reads every certificate of a bundle with its dates and subject', async () => {
    await put('/anchors/bundle.pem', `# site CAs\n${pem30}\n${pem400}`);
    const read = await readCertificateFile(createHostFs(root), '/anchors/bundle.pem', 'trust-anchor');
    expect(read.problems).toEqual([]);
    expect(read.certs.map((c) => [c.index, c.subject])).toEqual([
      [1, 'CN=thirty'],
      [2, 'CN=four-hundred'],
    ]);
    const days = (read.certs[0]!.notAfter - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThan(30.2);
  });

  it.each<[string, string | Buffer, RegExp]>([
    ['empty', '', /\/x\.crt.*is not PEM: no "-----BEGIN CERTIFICATE-----" block/],
    ['DER bytes', Buffer.from([0x30, 0x82, 0x01, 0x0a, 0x02, 0x82]), /is not PEM/],
    ['a private key', '-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----\n', /is not PEM/],
    [
      'a damaged block',
      '-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n',
      /certificate #1 is not a valid PEM certificate/,
    ],
  ])('%s: a problem naming the file, no exception', async (_name, content, message) => {
    await put('/x.crt', content);
    const read = await readCertificateFile(createHostFs(root), '/x.crt', 'hub-ca');
    expect(read.certs).toEqual([]);
    expect(read.problems).toHaveLength(1);
    expect(`${read.problems[0]!.file}: ${read.problems[0]!.problem}`).toMatch(message);
  });

  it('a directory where a file belongs is a problem, a missing file is nothing', async () => {
    await mkdir(join(root, 'dir.crt'));
    const fs = createHostFs(root);
    expect((await readCertificateFile(fs, '/dir.crt', 'hub-ca')).problems[0]?.problem).toMatch(/cannot be read/);
    expect(await readCertificateFile(fs, '/absent.crt', 'hub-ca')).toEqual({ certs: [], problems: [] });
  });

  it('a directory: only *.pem and *.crt', async () => {
    await put('/anchors/a.pem', pem30);
    await put('/anchors/b.crt', pem400);
    await put('/anchors/README', 'not a certificate');
    const read = await readCertificateDir(createHostFs(root), '/anchors', 'trust-anchor');
    expect(read.certs.map((c) => c.file)).toEqual(['/anchors/a.pem', '/anchors/b.crt']);
    expect(read.problems).toEqual([]);
  });
});

describe('FIPS flag', () => {
  it.each<[string, boolean, string | undefined, string]>([
    ['ostree-booted', true, '0\n', 'not-supported'],
    ['ostree-booted, flag set (said with the not-supported note)', true, '1\n', 'on'],
    ['RPM host, on', false, '1\n', 'on'],
    ['RPM host, off', false, '0\n', 'off'],
    ['RPM host, no flag', false, undefined, 'unknown'],
  ])('%s', async (_name, ostree, flag, state) => {
    if (ostree) await put('/run/ostree-booted', '');
    if (flag !== undefined) await put('/proc/sys/crypto/fips_enabled', flag);
    expect(decideFips(await readFipsInput(createHostFs(root))).state).toBe(state);
  });
});

describe('rpm -q', () => {
  it('one call for all components; missing ones are null, not an error', async () => {
    const exec = new FakeExec().on('rpm', {
      exitCode: 4,
      stdout:
        'microshift 4.15.12-1.el9\npackage microshift-greenboot is not installed\npackage microshift-olm is not installed\npackage microshift-gitops is not installed\ngreenboot 0.15.4-1.el9\npackage edge-agent is not installed\n',
    });
    const result = await queryComponents(exec);
    expect(exec.ran).toEqual([
      'rpm -q --qf %{NAME} %{VERSION}-%{RELEASE}\\n microshift microshift-greenboot microshift-olm microshift-gitops greenboot edge-agent',
    ]);
    expect(result).toEqual({
      state: 'ok',
      value: {
        microshift: '4.15.12-1.el9',
        'microshift-greenboot': null,
        'microshift-olm': null,
        'microshift-gitops': null,
        greenboot: '0.15.4-1.el9',
        'edge-agent': null,
      },
    });
  });
  it('no rpm at all: unavailable, said so', async () => {
    expect(await queryComponents(new FakeExec())).toMatchObject({ state: 'unavailable', note: /rpm cannot be run/ });
  });
  it('an rpm database error: error with rpm’s first line', async () => {
    const exec = new FakeExec().on('rpm', { exitCode: 1, stderr: 'error: cannot open Packages database\n' });
    expect(await queryComponents(exec)).toEqual({
      state: 'error',
      note: 'rpm -q failed (exit 1): error: cannot open Packages database',
    });
  });
});

describe('firewall-cmd --list-all-zones', () => {
  it.each<[string, FakeExec, object]>([
    ['not installed', new FakeExec(), { state: 'unavailable', note: 'firewalld is not installed (no firewall-cmd)' }],
    [
      'not running (exit 252)',
      new FakeExec().on('firewall-cmd', { exitCode: 252, stderr: 'FirewallD is not running\n' }),
      { state: 'unavailable', note: 'firewalld is not running' },
    ],
    [
      'another failure',
      new FakeExec().on('firewall-cmd', { exitCode: 1, stderr: 'Authorization failed.\n' }),
      { state: 'error', note: 'firewall-cmd --list-all-zones failed (exit 1): Authorization failed.' },
    ],
  ])('%s', async (_name, exec, expected) => {
    expect(await readFirewallZones(exec)).toEqual(expected);
  });
});

describe('gatherReadiness', () => {
  it('never returns the pull secret text, and finds the mirror CA through the mirror config', async () => {
    const planted = 'dG9wLXNlY3JldC0xMjM0';
    await put('/etc/crio/openshift-pull-secret', JSON.stringify({ auths: { 'quay.io': { auth: planted } } }));
    await put(
      '/etc/containers/registries.conf.d/999-mirror.conf',
      '[[registry]]\nlocation = "quay.io"\n[[registry.mirror]]\nlocation = "mirror.local:5000/ocp"\n',
    );
    await put('/etc/containers/certs.d/mirror.local:5000/ca.crt', pem30);
    const facts = await gatherReadiness(
      { fs: createHostFs(root), exec: new FakeExec() },
      { pullSecret: '/etc/crio/openshift-pull-secret', registryMirrorConfig: '/etc/containers/registries.conf.d' },
    );
    expect(JSON.stringify(facts)).not.toContain(planted);
    expect(facts.pullSecret).toMatchObject({
      state: 'read',
      fact: { valid: true, missingMirrors: ['mirror.local:5000'] },
    });
    expect(facts.certificates.certs.map((c) => [c.role, c.file])).toEqual([
      ['mirror-ca', '/etc/containers/certs.d/mirror.local:5000/ca.crt'],
    ]);
  });
});
