// The built-in wanted checks against a re-rooted host tree, with the tools they run (timedatectl,
// vgs, firewall-cmd) answering as they do on RHEL. These cover what a virtual device cannot show:
// LVM, firewalld, a synchronised clock, registry mirrors.
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CheckReport } from '../../agent/core/check-result.js';
import { defaultConfig, type Config } from '../../agent/config/schema.js';
import type { CheckDeps } from '../../agent/commands/check/check-deps.js';
import { createWantedChecks, type WantedFacts } from '../../agent/commands/check/wanted.js';
import { createHostFs } from '../../agent/host/fs.js';
import { createLogger } from '../../agent/host/log.js';
import { FakeClock } from '../fakes/clock.js';
import { FakeExec, type FakeAnswer } from '../fakes/exec.js';
import { aUnit, FakeSystemd } from '../fakes/systemd.js';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'edge-wanted-'));
  await mkdir(join(root, 'var'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function put(path: string, content = '', mode = 0o644): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), content);
  await chmod(join(root, path), mode);
}

interface Setup {
  exec?: Record<string, FakeAnswer>;
  units?: Parameters<typeof aUnit>[];
  config?: (c: Config) => void;
  facts?: Partial<WantedFacts>;
}

/** Run one built-in wanted check by id on the temp root. */
async function runWanted(id: string, setup: Setup = {}): Promise<CheckReport> {
  const exec = new FakeExec();
  for (const [command, answer] of Object.entries(setup.exec ?? {})) exec.on(command, answer);
  const systemd = new FakeSystemd((setup.units ?? []).map((args) => aUnit(...args)));
  const config = defaultConfig();
  setup.config?.(config);
  const deps: CheckDeps = {
    clock: new FakeClock(),
    exec,
    fs: createHostFs(root),
    log: createLogger({ level: 'silent', format: 'text', native: false }),
    systemd: async () => systemd,
    microshift: async () => Promise.reject(new Error('not used')),
  };
  const checks = createWantedChecks(
    config,
    { microshiftInstalled: true, disabledHealthchecks: [], ...setup.facts },
    deps,
  );
  const check = checks.find((c) => c.id === id);
  if (!check) throw new Error(`no wanted check ${id}`);
  expect(check.class).toBe('wanted');
  return check.run({ signal: new AbortController().signal });
}

const summary = (r: CheckReport) => `${r.outcome}:${r.reason}`;

describe('clock-synchronized (timedatectl show -p NTPSynchronized --value)', () => {
  it.each<[string, Setup, string]>([
    ['synchronised', { exec: { timedatectl: { stdout: 'yes\n' } } }, 'pass:ok'],
    ['not synchronised', { exec: { timedatectl: { stdout: 'no\n' } } }, 'fail:clock-unsynchronized'],
    [
      'timedated not answering',
      { exec: { timedatectl: { exitCode: 1, stderr: 'Failed to connect to bus' } } },
      'fail:clock-unknown',
    ],
    ['timedatectl not installed', {}, 'fail:clock-unknown'],
    ['not required by config', { config: (c) => (c.wanted.clockSyncRequired = false) }, 'skipped:disabled'],
  ])('%s: %s', async (_name, setup, expected) => {
    expect(summary(await runWanted('clock-synchronized', setup))).toBe(expected);
  });
});

describe('lvm-free (vgs)', () => {
  it.each<[string, Setup, string, string]>([
    [
      'plenty of space',
      { exec: { vgs: { stdout: '  rhel   12.50\n  data    1.00\n' } } },
      'pass:ok',
      'volume group rhel has 12.5G free',
    ],
    [
      'too little space',
      { exec: { vgs: { stdout: '  rhel    0.25\n' } } },
      'fail:vg-low',
      'volume group rhel has 0.25G free, below 1G',
    ],
    [
      'another volume group name',
      { exec: { vgs: { stdout: '  data    9.00\n' } } },
      'fail:vg-missing',
      'volume group rhel not found (have: data)',
    ],
    [
      'the configured volume group',
      { exec: { vgs: { stdout: '  microshift    9.00\n' } }, config: (c) => (c.wanted.vgName = 'microshift') },
      'pass:ok',
      'volume group microshift has 9G free',
    ],
    [
      'vgs fails',
      { exec: { vgs: { exitCode: 5, stderr: '  /dev/mapper/control: open failed: Permission denied\n' } } },
      'fail:vgs-failed',
      'vgs failed: /dev/mapper/control: open failed: Permission denied',
    ],
    ['no LVM tools', {}, 'skipped:vgs-absent', 'vgs is not installed'],
  ])('%s', async (_name, setup, expected, message) => {
    const report = await runWanted('lvm-free', setup);
    expect(summary(report)).toBe(expected);
    expect(report.message).toBe(message);
  });
});

describe('firewall-trusted (firewall-cmd --zone=trusted --list-sources)', () => {
  const active: Parameters<typeof aUnit> = ['firewalld.service', { activeState: 'active', subState: 'running' }];
  it.each<[string, Setup, string, string]>([
    [
      'firewalld not running',
      { units: [['firewalld.service']] },
      'skipped:firewalld-inactive',
      'firewalld is not running',
    ],
    ['firewalld not installed', {}, 'skipped:firewalld-inactive', 'firewalld is not running'],
    [
      'both MicroShift sources',
      { units: [active], exec: { 'firewall-cmd': { stdout: '10.42.0.0/16 169.254.169.1\n' } } },
      'pass:ok',
      'firewalld trusted zone has the MicroShift sources',
    ],
    [
      'one source missing',
      { units: [active], exec: { 'firewall-cmd': { stdout: '10.42.0.0/16\n' } } },
      'fail:firewall-trusted-missing',
      'firewalld trusted zone lacks MicroShift sources: 169.254.169.1',
    ],
    [
      'no sources',
      { units: [active], exec: { 'firewall-cmd': { stdout: '\n' } } },
      'fail:firewall-trusted-missing',
      'firewalld trusted zone lacks MicroShift sources: 10.42.0.0/16, 169.254.169.1',
    ],
    [
      'firewalld not answering',
      { units: [active], exec: { 'firewall-cmd': { exitCode: 252, stderr: 'FirewallD is not running\n' } } },
      'fail:firewall-unknown',
      'firewall-cmd failed: FirewallD is not running',
    ],
  ])('%s', async (_name, setup, expected, message) => {
    const report = await runWanted('firewall-trusted', setup);
    expect(summary(report)).toBe(expected);
    expect(report.message).toBe(message);
  });
});

describe('journal-persistent (journald.conf and its drop-ins, as journald reads them)', () => {
  it.each<[string, Record<string, string>, boolean, string]>([
    ['defaults, /var/log/journal present', {}, true, 'pass:ok'],
    ['defaults, no /var/log/journal', {}, false, 'fail:journal-volatile'],
    [
      'a commented setting counts for nothing',
      { '/etc/systemd/journald.conf': '[Journal]\n#Storage=persistent\n' },
      false,
      'fail:journal-volatile',
    ],
    [
      'persistent in journald.conf',
      { '/etc/systemd/journald.conf': '[Journal]\nStorage=persistent\n' },
      false,
      'pass:ok',
    ],
    [
      'a drop-in overrides journald.conf',
      {
        '/etc/systemd/journald.conf': '[Journal]\nStorage=persistent\n',
        '/etc/systemd/journald.conf.d/50-v.conf': '[Journal]\nStorage=volatile\n',
      },
      true,
      'fail:journal-volatile',
    ],
    [
      'drop-ins apply in name order across directories',
      {
        '/etc/systemd/journald.conf.d/10-p.conf': '[Journal]\nStorage=persistent\n',
        '/usr/lib/systemd/journald.conf.d/20-v.conf': '[Journal]\nStorage=volatile\n',
      },
      true,
      'fail:journal-volatile',
    ],
    [
      '/etc masks a vendor drop-in of the same name',
      {
        '/usr/lib/systemd/journald.conf.d/50-x.conf': '[Journal]\nStorage=volatile\n',
        '/etc/systemd/journald.conf.d/50-x.conf': '[Journal]\nStorage=persistent\n',
      },
      false,
      'pass:ok',
    ],
    [
      'a file without .conf is not a drop-in',
      { '/etc/systemd/journald.conf.d/50-p.conf.disabled': '[Journal]\nStorage=persistent\n' },
      false,
      'fail:journal-volatile',
    ],
    [
      'Storage=none',
      { '/etc/systemd/journald.conf.d/50-n.conf': '[Journal]\nStorage=none\n' },
      true,
      'fail:journal-volatile',
    ],
  ])('%s: %s', async (_name, files, journalDir, expected) => {
    for (const [path, content] of Object.entries(files)) await put(path, content);
    if (journalDir) await mkdir(join(root, 'var/log/journal'), { recursive: true });
    expect(summary(await runWanted('journal-persistent'))).toBe(expected);
  });
});

describe('pull-secret', () => {
  const secret = '/etc/crio/openshift-pull-secret';
  it.each<[string, (() => Promise<void>) | undefined, string]>([
    ['root:root 0600', () => put(secret, '{"auths":{}}', 0o600), 'pass:ok'],
    ['0640', () => put(secret, '{"auths":{}}', 0o640), 'fail:pull-secret-permissions'],
    [
      'owned by uid 1000',
      async () => (await put(secret, '{"auths":{}}', 0o600), await chown(join(root, secret), 1000, 0)),
      'fail:pull-secret-permissions',
    ],
    ['missing', undefined, 'fail:pull-secret-missing'],
  ])('%s: %s', async (_name, arrange, expected) => {
    await arrange?.();
    expect(summary(await runWanted('pull-secret'))).toBe(expected);
  });

  it('is skipped when MicroShift is not installed', async () => {
    expect(summary(await runWanted('pull-secret', { facts: { microshiftInstalled: false } }))).toBe(
      'skipped:microshift-absent',
    );
  });
});

describe('registry-mirror', () => {
  const conf = '/etc/containers/registries.conf.d/999-microshift-mirror.conf';
  // The shape MicroShift documents for air-gapped sites: the source registry, then its mirror.
  const mirror =
    '[[registry]]\nprefix = ""\nlocation = "quay.io/openshift-release-dev/ocp-release"\nmirror-by-digest-only = true\n\n[[registry.mirror]]\nlocation = "mirror.example.com:5000/ocp"\n';

  it.each<[string, Record<string, string>, string, string]>([
    ['no mirror configured', {}, 'skipped:no-mirror', 'no registry mirror configured'],
    [
      'a mirror without any CA',
      { [conf]: mirror },
      'fail:mirror-config',
      'registry mirror: no CA for mirror mirror.example.com:5000',
    ],
    [
      'a mirror with its CA in certs.d',
      { [conf]: mirror, '/etc/containers/certs.d/mirror.example.com:5000/ca.crt': 'PEM' },
      'pass:ok',
      'registry mirror config readable (999-microshift-mirror.conf)',
    ],
    [
      'a mirror with a CA in the system trust anchors',
      { [conf]: mirror, '/etc/pki/ca-trust/source/anchors/mirror-ca.pem': 'PEM' },
      'pass:ok',
      'registry mirror config readable (999-microshift-mirror.conf)',
    ],
    [
      'mirrors as an inline list, one with its CA',
      {
        [conf]:
          '[[registry]]\nlocation = "quay.io"\nmirror = [\n  { location = "a.example.com/ocp" },  # the primary\n  { location = "b.example.com:8443/ocp" },\n]\n',
        '/etc/containers/certs.d/a.example.com/ca.crt': 'PEM',
      },
      'fail:mirror-config',
      'registry mirror: no CA for mirror b.example.com:8443',
    ],
    [
      'a drop-in without mirrors',
      {
        '/etc/containers/registries.conf.d/000-search.conf':
          'unqualified-search-registries = ["registry.access.redhat.com"]\n',
      },
      'pass:ok',
      'registry mirror config readable (000-search.conf)',
    ],
  ])('%s', async (_name, files, expected, message) => {
    for (const [path, content] of Object.entries(files)) await put(path, content);
    const report = await runWanted('registry-mirror');
    expect(summary(report)).toBe(expected);
    expect(report.message).toBe(message);
  });
});

describe('greenboot-enabled and disabled-healthchecks', () => {
  it.each<[string, Setup['units'], string]>([
    ['enabled', [['greenboot-healthcheck.service']], 'pass:ok'],
    ['disabled', [['greenboot-healthcheck.service', { unitFileState: 'disabled' }]], 'fail:greenboot-disabled'],
    ['masked', [['greenboot-healthcheck.service', { unitFileState: 'masked' }]], 'fail:greenboot-disabled'],
    ['not installed', [], 'fail:greenboot-disabled'],
  ])('greenboot-healthcheck.service %s: %s', async (_name, units, expected) => {
    expect(summary(await runWanted('greenboot-enabled', { units }))).toBe(expected);
  });

  it.each<[string, string[], string, string]>([
    ['nothing disabled', [], 'pass:ok', 'DISABLED_HEALTHCHECKS is empty'],
    [
      'scripts in both trees and in a subdirectory',
      ['40_microshift_running_check.sh', '10-nested.sh', '50-vendor.sh'],
      'pass:ok',
      'DISABLED_HEALTHCHECKS disables 40_microshift_running_check.sh, 10-nested.sh, 50-vendor.sh',
    ],
    [
      'a name that matches no script',
      ['40_microshift_running_check.sh', '41_typo.sh'],
      'fail:disabled-unknown',
      'DISABLED_HEALTHCHECKS names no script: 41_typo.sh',
    ],
    [
      'a path instead of a name',
      ['/etc/greenboot/check/required.d/40_microshift_running_check.sh'],
      'fail:disabled-unknown',
      'DISABLED_HEALTHCHECKS names no script: /etc/greenboot/check/required.d/40_microshift_running_check.sh',
    ],
  ])('DISABLED_HEALTHCHECKS, %s', async (_name, disabledHealthchecks, expected, message) => {
    await put('/etc/greenboot/check/required.d/40_microshift_running_check.sh', '#!/bin/bash\n', 0o755);
    await put('/etc/greenboot/check/wanted.d/extra/10-nested.sh', '#!/bin/bash\n', 0o755);
    await put('/usr/lib/greenboot/check/required.d/50-vendor.sh', '#!/bin/bash\n', 0o755);
    const report = await runWanted('disabled-healthchecks', { facts: { disabledHealthchecks } });
    expect(summary(report)).toBe(expected);
    expect(report.message).toBe(message);
  });
});
