// Boot facts from files laid out under a temporary root.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBootFacts, type BootFacts } from '../../agent/host/system-facts.js';
import { createHostFs } from '../../agent/host/fs.js';
import { FakeClock } from '../fakes/clock.js';

const RHEL_OS_RELEASE = `NAME="Red Hat Enterprise Linux"
VERSION="9.4 (Plow)"
ID="rhel"
ID_LIKE="fedora"
VERSION_ID="9.4"
PLATFORM_ID="platform:el9"
PRETTY_NAME="Red Hat Enterprise Linux 9.4 (Plow)"
ANSI_COLOR="0;31"
CPE_NAME="cpe:/o:redhat:enterprise_linux:9::baseos"
HOME_URL="https://www.redhat.com/"
REDHAT_SUPPORT_PRODUCT_VERSION="9.4"
`;

describe('boot facts', () => {
  let root: string;
  let facts: BootFacts;
  const clock = new FakeClock({ now: '2024-06-11T12:00:00Z' });
  const put = async (path: string, content = '') => {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  };

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'edge-boot-facts-'));
    facts = createBootFacts({ fs: createHostFs(root), clock });
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('gives the boot id in journald form: 32 hex digits without dashes', async () => {
    await put('/proc/sys/kernel/random/boot_id', '3C2B1A09-8f7e-4d6c-b5a4-93827160f5e4\n');
    expect(await facts.bootId()).toBe('3c2b1a098f7e4d6cb5a493827160f5e4');
  });

  it.each([
    ['0f1e2d3c4b5a69788796a5b4c3d2e1f0\n', '0f1e2d3c4b5a69788796a5b4c3d2e1f0'],
    ['uninitialized\n', undefined],
    ['', undefined],
  ])('machine id %j -> %s', async (content, expected) => {
    await put('/etc/machine-id', content);
    expect(await facts.machineId()).toBe(expected);
  });

  it('reads os-release, falling back to /usr/lib/os-release', async () => {
    await put('/usr/lib/os-release', RHEL_OS_RELEASE);
    expect(await facts.osRelease()).toMatchObject({
      name: 'Red Hat Enterprise Linux',
      versionId: '9.4',
      prettyName: 'Red Hat Enterprise Linux 9.4 (Plow)',
      id: 'rhel',
    });
    await put(
      '/etc/os-release',
      'NAME=\'Debian GNU/Linux\'\nVERSION_ID="12"\nPRETTY_NAME="Debian \\"bookworm\\""\n# comment\n',
    );
    expect(await facts.osRelease()).toMatchObject({
      name: 'Debian GNU/Linux',
      versionId: '12',
      prettyName: 'Debian "bookworm"',
    });
  });

  it('knows no os-release when neither file exists', async () => {
    expect(await facts.osRelease()).toBeUndefined();
  });

  it('tells an ostree-booted host by /run/ostree-booted', async () => {
    expect(await facts.isOstreeBooted()).toBe(false);
    await put('/run/ostree-booted');
    expect(await facts.isOstreeBooted()).toBe(true);
  });

  it('reads uptime and the boot time from btime', async () => {
    await put('/proc/uptime', '3725.41 7301.88\n');
    await put('/proc/stat', 'cpu  1 2 3 4\nintr 0\nctxt 99\nbtime 1718103600\nprocesses 77\n');
    expect(await facts.uptimeSec()).toBe(3725.41);
    expect(await facts.bootTimeMs()).toBe(1718103600_000);
  });

  it('derives the boot time from the uptime when /proc/stat has no btime', async () => {
    await put('/proc/uptime', '60.5 100.0\n');
    expect(await facts.bootTimeMs()).toBe(clock.now() - 60_500);
  });

  it('rejects an unreadable uptime', async () => {
    await put('/proc/uptime', 'garbage\n');
    await expect(facts.uptimeSec()).rejects.toMatchObject({ code: 'boot-fact-invalid' });
  });

  it.each([
    [
      'bash greenboot (RHEL 9)',
      [
        '/usr/lib/systemd/system/greenboot-grub2-set-counter.service',
        '/usr/lib/systemd/system/greenboot-healthcheck.service',
      ],
      'bash',
    ],
    ['bash greenboot, Debian unit dir', ['/lib/systemd/system/greenboot-grub2-set-counter.service'], 'bash'],
    [
      'greenboot-rs',
      [
        '/usr/lib/systemd/system/greenboot-set-rollback-trigger.service',
        '/usr/lib/systemd/system/greenboot-healthcheck.service',
      ],
      'rs',
    ],
    ['greenboot-rs unit copied to /etc', ['/etc/systemd/system/greenboot-set-rollback-trigger.service'], 'rs'],
    ['no greenboot', ['/usr/lib/systemd/system/sshd.service'], 'none'],
    ['greenboot without either marker unit', ['/usr/lib/systemd/system/greenboot-healthcheck.service'], 'unknown'],
    [
      'both marker units',
      [
        '/usr/lib/systemd/system/greenboot-grub2-set-counter.service',
        '/usr/lib/systemd/system/greenboot-set-rollback-trigger.service',
      ],
      'unknown',
    ],
  ])('greenboot implementation: %s', async (_name, files, expected) => {
    for (const file of files) await put(file, '[Unit]\n');
    expect(await facts.greenbootImplementation()).toBe(expected);
  });
});
