// Compatibility, offline images and FIPS in `edge-agent status` on a virtual edge host: the
// rpm-ostree stand-in with an update staged (its checkout carries its own os-release and release
// manifest), the CRI-O stand-in with images on the node, and the kernel's FIPS flag made to read 1
// inside the device's own mount namespace. Findings are warnings in the problems list, never a
// change of the boot's verdict. One device serves every case; each case puts its files back.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ReadinessStatus } from '../../agent/core/readiness/status-section.js';
import type { StatusProblem } from '../../agent/core/status/schema.js';
import { bootEdgeDevice } from '../harness/edge-device.js';
import { installCrio } from '../harness/crio/install.js';
import { pauseImage } from '../harness/crio/model.js';
import { preloadImages } from '../harness/crio/preload-images.js';
import { scenario } from '../harness/microshift/scenario.js';
import { writeDeploymentFiles } from '../harness/rpm-ostree/deployment-tree.js';
import { makeUpdateAvailable, stageUpdate, type Deployment } from '../harness/rpm-ostree/device-rpm-ostree.js';
import type { VirtualDevice } from '../harness/vdev.js';

const ARCH = process.arch === 'arm64' ? 'aarch64' : 'x86_64';
const RELEASE = `/usr/share/microshift/release/release-${ARCH}.json`;
const MIRROR = '/etc/containers/registries.conf.d/999-microshift-mirror.conf';
const repo = 'quay.io/openshift-release-dev/ocp-v4.0-art-dev';
const image = (n: number) => `${repo}@sha256:${String(n).padStart(64, 'a')}`;
const manifest = (base: string, images: string[]) =>
  JSON.stringify({ release: { base }, images: Object.fromEntries(images.map((ref, i) => [`image-${i}`, ref])) });
const osRelease = (version: string) => `NAME="Red Hat Enterprise Linux"\nID="rhel"\nVERSION_ID="${version}"\n`;

let device: VirtualDevice;
let staged: Deployment;
let stagedRoot: string;

interface StatusRun {
  exitCode: number;
  state: string;
  readiness: ReadinessStatus;
  problems: StatusProblem[];
  stderr: string;
}

/**
 * status --json once its readiness look includes compatibility and images: on a busy machine the
 * look may time out or skip that part (status's own time limit), so it is asked again, boundedly.
 */
async function status(): Promise<StatusRun> {
  let last = '';
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const r = await device.exec(['edge-agent', 'status', '--json'], { timeoutMs: 60_000 });
    last = r.stdout + r.stderr;
    const json = JSON.parse(r.stdout) as { state: string; readiness?: ReadinessStatus; problems: StatusProblem[] };
    const u = json.readiness?.update;
    if (json.readiness?.state === 'ok' && u && u.state !== 'skipped')
      return {
        exitCode: r.exitCode,
        state: json.state,
        readiness: json.readiness,
        problems: json.problems,
        stderr: r.stderr,
      };
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`status never had compatibility and images:\n${last}`);
}
const readinessProblems = (run: StatusRun) => run.problems.filter((p) => p.section === 'readiness');
/** The human view with its 80-column wrapping undone, once it shows compatibility (asked again as above). */
async function statusText(): Promise<string> {
  let text = '';
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const r = await device.exec(['edge-agent', 'status'], { env: { NO_COLOR: '1' } });
    text = r.stdout.replace(/\s+/g, ' ');
    if (text.includes(' Compatibility: ') && !text.includes(' Compatibility: skipped')) return text;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`the human status never showed compatibility:\n${text}`);
}

async function resetFiles(): Promise<void> {
  await device.writeFile('/etc/os-release', osRelease('9.4'));
  await device.writeFile(RELEASE, manifest('4.16.2', [pauseImage, image(1)]));
  await writeDeploymentFiles(device, staged, {
    '/usr/lib/os-release': osRelease('9.4'),
    [RELEASE]: manifest('4.17.1', [pauseImage, image(2)]),
  });
  await device.sh(`rm -f ${MIRROR} && systemctl start crio.service`);
}

beforeAll(async () => {
  device = await bootEdgeDevice({
    name: 'readiness-status',
    microshift: { state: 'disabled', scenario: scenario('healthy') },
    deployments: [{ version: '9.4.20240101.0' }],
    boot: false,
  });
  await installCrio(device);
  await preloadImages(device, [pauseImage, image(1), image(2)]);
  await makeUpdateAvailable(device, { version: '9.4.20240201.0' });
  staged = await stageUpdate(device);
  stagedRoot = `/ostree/deploy/${staged.osname}/deploy/${staged.checksum}.${staged.serial}`;
}, 300_000);

afterAll(async () => {
  await device?.dispose();
});

beforeEach(resetFiles);

describe('compatibility and offline readiness in status', () => {
  let healthy: StatusRun;

  it('a supported pair and update, every image of the staged deployment present: no problem', async () => {
    healthy = await status();
    expect(healthy.readiness.update).toMatchObject({
      state: 'ok',
      compatibility: {
        level: 'ok',
        booted: { rhel: '9.4', microshift: '4.16.2' },
        staged: { rhel: '9.4', microshift: '4.17.1' },
      },
      offline: { level: 'ok', tree: 'staged', total: 2, missingCount: 0, airGapped: false },
    });
    expect(healthy.readiness.update?.offline?.message).toBe('staged deployment: all 2 images present');
    expect(readinessProblems(healthy)).toEqual([]);
    const text = await statusText();
    expect(text).toContain(
      'Compatibility: RHEL 9.4 with MicroShift 4.16.2: a supported pair; staged RHEL 9.4 with MicroShift 4.17.1: a supported update',
    );
    expect(text).toContain('Images: staged deployment: all 2 images present');
  });

  it('an unsupported jump and a missing image on an air-gapped device: warnings with what to do, same verdict', async () => {
    await writeDeploymentFiles(device, staged, {
      '/usr/lib/os-release': osRelease('9.6'),
      [RELEASE]: manifest('4.19.0', [pauseImage, image(2), image(9)]),
    });
    await device.writeFile(
      MIRROR,
      '[[registry]]\nlocation = "quay.io"\n\n[[registry.mirror]]\nlocation = "mirror.local:5000"\n',
    );
    const run = await status();
    const byCode = Object.fromEntries(readinessProblems(run).map((p) => [p.code, p]));
    expect(byCode['unsupported-version']).toMatchObject({
      severity: 'warning',
      message: 'Compatibility: MicroShift 4.16 -> 4.19 is not a supported update path',
      action: expect.stringMatching(/^do not reboot into the staged deployment/),
    });
    expect(byCode['images-missing']).toMatchObject({
      severity: 'warning',
      message: `Air-gapped device: staged deployment: 1 of 3 images would need a pull: ${image(9)}`,
    });
    // Readiness never decides the boot: the verdict and exit code are the healthy case's.
    expect(healthy).toBeDefined();
    expect([run.state, run.exitCode]).toEqual([healthy.state, healthy.exitCode]);
    const text = await statusText();
    expect(text).toContain('Compatibility: MicroShift 4.16 -> 4.19 is not a supported update path (warning)');
    expect(text).toContain('Images: staged deployment: 1 of 3 images would need a pull:');
  });

  it.each([
    ['not JSON', '{"images": {"pod": ', /release-(x86_64|aarch64)\.json: not JSON \(/],
    [
      'without images',
      '{"release": {"base": "4.17.1"}}',
      /release-(x86_64|aarch64)\.json: images: .*expected \{"release"/,
    ],
  ])(
    'a malformed staged release manifest (%s): a warning naming the file, never a crash',
    async (_n, text, pattern) => {
      await writeDeploymentFiles(device, staged, { [RELEASE]: text });
      const run = await status();
      expect(run.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
      expect(run.readiness.update?.offline?.message).toContain(`${stagedRoot}${RELEASE}`);
      expect(run.readiness.update?.offline?.message).toMatch(pattern);
      const problem = readinessProblems(run).find((p) => p.code === 'images-unknown');
      expect(problem?.message).toMatch(pattern);
      expect(problem?.action).toMatch(/rpm -V microshift-release-info/);
      expect(readinessProblems(run).find((p) => p.code === 'compatibility-unknown')?.message).toMatch(pattern);
    },
  );

  it('a missing booted release manifest: the file named', async () => {
    await device.sh(`rm ${RELEASE}`);
    const run = await status();
    // MicroShift's unit is installed, so a missing manifest is a finding, not "not installed".
    expect(run.readiness.update?.compatibility?.level).toBe('warn');
    expect(run.readiness.update?.compatibility?.reasons).toContain(
      `${RELEASE} is missing: the booted MicroShift version is unknown`,
    );
    expect(readinessProblems(run).find((p) => p.code === 'compatibility-unknown')?.message).toContain(RELEASE);
  });

  it('an ordinary user: what cannot be read is said, and is no problem of the device', async () => {
    const r = await device.exec(['runuser', '-u', 'nobody', '--', 'edge-agent', 'status', '--json'], {
      timeoutMs: 60_000,
    });
    expect(r.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
    const json = JSON.parse(r.stdout) as { readiness?: ReadinessStatus; problems: StatusProblem[] };
    // CRI-O's socket refuses the user: unknown and said so (when the part was not skipped for time).
    if (json.readiness?.update?.state === 'ok')
      expect(json.readiness.update.offline).toMatchObject({
        level: 'unknown',
        message: expect.stringMatching(/permission denied.*\(run as root to compare images\)$/),
      });
    const codes = json.problems.filter((p) => p.section === 'readiness').map((p) => p.code);
    expect(codes).not.toContain('images-unknown');
    expect(codes).not.toContain('compatibility-unknown');
  });

  it("CRI-O stopped: crictl's reason, and the rest of the readiness section", async () => {
    await device.sh('systemctl stop crio.service');
    const run = await status();
    expect(run.readiness.update?.offline?.message).toMatch(/^cannot list CRI-O's images: crictl images: /);
    expect(run.readiness.update?.compatibility?.level).toBe('ok');
    expect(run.readiness.pullSecret).toBeDefined();
    expect(readinessProblems(run).find((p) => p.code === 'images-unknown')?.action).toBe(
      'systemctl status crio; crictl images',
    );
  });
});

describe('FIPS mode on, through the kernel flag path', () => {
  // This kernel may have no /proc/sys/crypto at all. Inside the device's mount namespace only,
  // /proc/sys is replaced by a tmpfs that carries every real entry bind-mounted back, plus a
  // crypto/fips_enabled reading 1: the agent reads the very path it reads on a real host.
  const SETUP = [
    'set -e',
    'mkdir -p /run/real-sys',
    'mount --bind /proc/sys /run/real-sys',
    'mount -t tmpfs -o size=1m,mode=0555 fips-sys /proc/sys',
    'for e in /run/real-sys/*; do n=$(basename "$e"); [ "$n" = crypto ] && continue;',
    '  if [ -d "$e" ]; then mkdir "/proc/sys/$n"; else touch "/proc/sys/$n"; fi; mount --bind "$e" "/proc/sys/$n"; done',
    'mkdir -p /proc/sys/crypto && echo 1 > /proc/sys/crypto/fips_enabled',
  ].join('\n');
  const TEARDOWN = 'umount -R /proc/sys; umount /run/real-sys; rmdir /run/real-sys';

  it('on RHEL for Edge: on, and said to be unsupported there (a warning); on an RPM host: on', async () => {
    await device.sh(SETUP);
    try {
      expect((await device.sh('cat /proc/sys/crypto/fips_enabled')).trim()).toBe('1');
      const edge = await status();
      expect(edge.readiness.fips).toMatchObject({ state: 'on', level: 'warn' });
      expect(edge.readiness.fips?.message).toMatch(/^FIPS mode is on .*not supported on RHEL for Edge/);
      expect(readinessProblems(edge).map((p) => p.code)).toContain('fips-unsupported');
      expect(await statusText()).toContain(
        'FIPS: FIPS mode is on (/proc/sys/crypto/fips_enabled is 1), but FIPS mode is not supported on RHEL for Edge',
      );

      await device.sh('mv /run/ostree-booted /run/ostree-booted.away');
      try {
        const rpmHost = await status();
        expect(rpmHost.readiness.fips).toEqual({ state: 'on', message: 'FIPS mode is on' });
        expect(readinessProblems(rpmHost).map((p) => p.code)).not.toContain('fips-unsupported');
      } finally {
        await device.sh('mv /run/ostree-booted.away /run/ostree-booted');
      }
    } finally {
      await device.sh(TEARDOWN);
    }
  });
});
