// `edge-agent preflight` on a virtual edge host: the rpm-ostree stand-in with an update staged
// whose checkout carries its own os-release and MicroShift release manifest, bash greenboot,
// MicroShift's units, the CRI-O stand-in with images already on the node. One device serves every
// case; each case sets the files it is about and puts them back.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PreflightJson } from '../../agent/core/preflight/report.js';
import { PreflightSchema } from '../../agent/core/preflight/schema.js';
import { bootEdgeDevice } from '../harness/edge-device.js';
import { installCrio } from '../harness/crio/install.js';
import { pauseImage } from '../harness/crio/model.js';
import { preloadImages } from '../harness/crio/preload-images.js';
import { scenario } from '../harness/microshift/scenario.js';
import { writeDeploymentFiles } from '../harness/rpm-ostree/deployment-tree.js';
import {
  makeUpdateAvailable,
  setTransaction,
  stageUpdate,
  type Deployment,
} from '../harness/rpm-ostree/device-rpm-ostree.js';
import type { VirtualDevice } from '../harness/vdev.js';

const ARCH = process.arch === 'arm64' ? 'aarch64' : 'x86_64';
const RELEASE = `/usr/share/microshift/release/release-${ARCH}.json`;
const OLM = `/usr/share/microshift/release/release-olm-${ARCH}.json`;
const MIRROR = '/etc/containers/registries.conf.d/999-microshift-mirror.conf';
const repo = 'quay.io/openshift-release-dev/ocp-v4.0-art-dev';
const image = (n: number) => `${repo}@sha256:${String(n).padStart(64, 'a')}`;
const onNode = [pauseImage, image(1), image(2), image(3)];
const manifest = (base: string, images: string[]) =>
  JSON.stringify({ release: { base }, images: Object.fromEntries(images.map((ref, i) => [`image-${i}`, ref])) });
const osRelease = (version: string) => `NAME="Red Hat Enterprise Linux"\nID="rhel"\nVERSION_ID="${version}"\n`;

let device: VirtualDevice;
let staged: Deployment;

async function preflight(...args: string[]): Promise<{ exitCode: number; json: PreflightJson; stderr: string }> {
  const r = await device.exec(['edge-agent', 'preflight', '--json', ...args], { timeoutMs: 120_000 });
  const json = JSON.parse(r.stdout) as PreflightJson;
  // The zod schema packaging/schemas/preflight.schema.json is generated from (a unit test keeps them equal).
  const checked = PreflightSchema.safeParse(json);
  expect(checked.success, checked.error?.message).toBe(true);
  return { exitCode: r.exitCode, json, stderr: r.stderr };
}
const item = (json: PreflightJson, id: string) => json.items.find((i) => i.id === id);

/** The ready device every case starts from. */
async function resetFiles(): Promise<void> {
  await device.writeFile('/etc/os-release', osRelease('9.2'));
  await device.writeFile(RELEASE, manifest('4.15.2', [pauseImage, image(1)]));
  await device.writeFile(
    MIRROR,
    '[[registry]]\nlocation = "quay.io"\n\n[[registry.mirror]]\nlocation = "mirror.local:5000"\n',
  );
  await writeDeploymentFiles(device, staged, {
    '/usr/lib/os-release': osRelease('9.2'),
    [RELEASE]: manifest('4.15.5', [pauseImage, image(2)]),
    [OLM]: manifest('4.15.5', [image(3)]),
  });
  await setTransaction(device, undefined);
  await device.sh('systemctl start crio.service && systemctl enable --quiet greenboot-healthcheck.service');
}

beforeAll(async () => {
  device = await bootEdgeDevice({
    name: 'preflight',
    microshift: { state: 'disabled', scenario: scenario('healthy') },
    deployments: [{ version: '9.2.20240101.0' }],
    boot: false,
  });
  await installCrio(device);
  await preloadImages(device, onNode);
  await makeUpdateAvailable(device, { version: '9.2.20240201.0' });
  staged = await stageUpdate(device);
  // A backup as MicroShift leaves one at each start on an ostree system; /sysroot as on a real host.
  await device.sh(`mkdir -p /var/lib/microshift-backups/rhel-${staged.checksum}.0_x /sysroot`);
}, 300_000);

afterAll(async () => {
  await device?.dispose();
});

beforeEach(resetFiles);

describe('edge-agent preflight', () => {
  it('passes every item on a device ready for its staged update (exit 0), in JSON and in words', async () => {
    const { exitCode, json } = await preflight();
    expect(json.items.filter((i) => i.status !== 'pass')).toEqual([]);
    expect(exitCode).toBe(0);
    expect(json.compatibility).toMatchObject({
      level: 'ok',
      booted: { rhel: '9.2', microshift: '4.15.2' },
      staged: { rhel: '9.2', microshift: '4.15.5' },
    });
    expect(json.offline).toMatchObject({ tree: 'staged', noRegistry: true, total: 3, missingCount: 0 });
    expect(item(json, 'offline-images')?.reason).toBe('all 3 images present');
    const human = await device.exec(['edge-agent', 'preflight']);
    expect(human.exitCode).toBe(0);
    expect(human.stdout).toMatch(/^PASS {2}no rpm-ostree transaction running: rpm-ostree is idle$/m);
    expect(human.stdout).toMatch(/^Preflight: ready for an update \(0 fail, 0 warn, 10 pass\)$/m);
  });

  it("fails when the staged deployment's images are not on an air-gapped node (exit 1), naming them", async () => {
    await writeDeploymentFiles(device, staged, { [OLM]: manifest('4.15.5', [image(3), image(7)]) });
    const { exitCode, json } = await preflight();
    expect(exitCode).toBe(1);
    expect(json.offline).toMatchObject({ total: 4, missingCount: 1, missing: [image(7)] });
    expect(item(json, 'offline-images')).toMatchObject({
      status: 'fail',
      reason: `1 of 4 images would need a pull: ${image(7)} (no registry access: ${MIRROR} configures a registry mirror (an air-gapped setup))`,
    });
  });

  it('lets a reachable registry pull what is missing: --online, or no mirror configured', async () => {
    await writeDeploymentFiles(device, staged, { [OLM]: manifest('4.15.5', [image(7)]) });
    expect((await preflight('--online')).exitCode).toBe(0);
    await device.sh(`rm ${MIRROR}`);
    const { exitCode, json } = await preflight();
    expect(exitCode).toBe(0);
    expect(item(json, 'offline-images')?.reason).toMatch(/would need a pull: .*; the registry is assumed reachable/);
  });

  it('warns about an update path MicroShift does not support (exit 2)', async () => {
    await writeDeploymentFiles(device, staged, {
      '/usr/lib/os-release': osRelease('9.4'),
      [RELEASE]: manifest('4.17.1', [pauseImage]),
    });
    const { exitCode, json } = await preflight();
    expect(exitCode).toBe(2);
    expect(item(json, 'compatibility')).toMatchObject({
      status: 'warn',
      reason: 'MicroShift 4.15 -> 4.17 is not a supported update path',
    });
  });

  it('fails while an rpm-ostree transaction runs', async () => {
    await setTransaction(device, ['upgrade', 'client(id:cli uid:0)']);
    const { exitCode, json } = await preflight();
    expect(exitCode).toBe(1);
    expect(item(json, 'transaction')).toMatchObject({
      status: 'fail',
      reason: '"upgrade" is running (started by client(id:cli uid:0))',
    });
  });

  it('fails when greenboot-healthcheck.service is disabled', async () => {
    await device.sh('systemctl disable --quiet greenboot-healthcheck.service');
    const { exitCode, json } = await preflight();
    expect(exitCode).toBe(1);
    expect(item(json, 'greenboot')?.reason).toMatch(/^greenboot-healthcheck.service is disabled: /);
  });

  it('fails when /sysroot has less room than the update is assumed to need', async () => {
    await device.sh('mount -t tmpfs -o size=64m tmpfs /sysroot');
    try {
      const { exitCode, json } = await preflight();
      expect(exitCode).toBe(1);
      expect(item(json, 'space-sysroot')?.status).toBe('fail');
      expect(item(json, 'space-sysroot')?.reason).toMatch(/^0\.1 GiB free, 0\.3 GiB assumed \(the update is staged/);
    } finally {
      await device.sh('umount /sysroot');
    }
  });

  it.each([
    ['malformed release JSON', '{"images": {"pod": ', /release-x86_64\.json: not JSON \(/],
    [
      'release JSON without images',
      '{"release": {"base": "4.15.5"}}',
      /release-x86_64\.json: images: .*expected \{"release"/,
    ],
  ])('%s in the staged tree: a warning naming the file (exit 2), never a crash', async (_name, text, pattern) => {
    await writeDeploymentFiles(device, staged, { [RELEASE]: text });
    const { exitCode, json, stderr } = await preflight();
    expect(exitCode).toBe(2);
    expect(stderr).not.toMatch(/internal error|at .*\.js:\d+/);
    const offline = item(json, 'offline-images');
    expect(offline?.status).toBe('warn');
    expect(offline?.reason).toContain(`/ostree/deploy/${staged.osname}/deploy/${staged.checksum}.${staged.serial}`);
    expect(offline?.reason).toMatch(pattern);
    expect(item(json, 'compatibility')?.reason).toMatch(pattern);
  });

  it('warns when the staged tree has no release manifest although MicroShift is installed', async () => {
    await device.sh(`rm /ostree/deploy/${staged.osname}/deploy/${staged.checksum}.${staged.serial}${RELEASE}`);
    const { exitCode, json } = await preflight();
    expect(exitCode).toBe(2);
    expect(item(json, 'offline-images')?.reason).toMatch(/release-x86_64\.json is missing: cannot tell which images/);
    // The OLM manifest left alone does not tell the staged MicroShift version either.
    expect(item(json, 'compatibility')?.status).toBe('warn');
  });

  it('warns when crictl cannot list the images (CRI-O stopped)', async () => {
    await device.sh('systemctl stop crio.service');
    const { exitCode, json } = await preflight();
    expect(exitCode).toBe(2);
    expect(item(json, 'offline-images')).toMatchObject({ status: 'warn' });
    expect(item(json, 'offline-images')?.reason).toMatch(/^cannot list CRI-O's images: crictl images: .*/);
  });
});
