// The compatibility and offline part of the readiness facts against a re-rooted host tree: the
// release manifests of the booted and the staged deployment's tree, os-release, and crictl
// answering as it does (a store listing, CRI-O stopped, a hang). Bad input gives a precise reason
// naming the file, never a throw.
import { arch } from 'node:os';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHostFs } from '../../agent/host/fs.js';
import { gatherReadiness, type ReadinessDeps } from '../../agent/host/readiness.js';
import { releaseArch } from '../../agent/host/microshift-release.js';
import type { Deployment } from '../../agent/core/deployment.js';
import { buildReadinessSection } from '../../agent/core/readiness/facts.js';
import { FakeExec } from '../fakes/exec.js';

const ARCH = releaseArch(arch());
const CORE = `/usr/share/microshift/release/release-${ARCH}.json`;
const SOURCES = {
  pullSecret: '/etc/crio/openshift-pull-secret',
  registryMirrorConfig: '/etc/containers/registries.conf.d',
};
const STAGED_ROOT = '/ostree/deploy/rhel/deploy/bbbb.0';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'edge-readiness-update-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function put(path: string, content: string): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), content);
}

const manifest = (base: string, images: string[]) =>
  JSON.stringify({ release: { base }, images: Object.fromEntries(images.map((r, i) => [`image-${i}`, r])) });
const crictlImages = (tags: string[]) => ({
  stdout: JSON.stringify({ images: tags.map((t, i) => ({ id: `${i}`, repoTags: [t], repoDigests: [] })) }),
});
const deployment = (over: Partial<Deployment>): Deployment =>
  ({
    booted: false,
    staged: false,
    pinned: false,
    osname: 'rhel',
    checksum: 'aaaa',
    serial: 0,
    packages: [],
    requestedPackages: [],
    extra: {},
    ...over,
  }) as Deployment;

async function bootedTree(rhel: string, microshift: string, images: string[]): Promise<void> {
  await put('/etc/os-release', `NAME="Red Hat Enterprise Linux"\nVERSION_ID="${rhel}"\n`);
  await put(CORE, manifest(microshift, images));
}

async function gather(exec: FakeExec, over: Partial<ReadinessDeps> = {}) {
  const facts = await gatherReadiness({ fs: createHostFs(root), exec, timeoutMs: 5000, ...over }, SOURCES);
  return { facts, section: buildReadinessSection(facts, Date.now()) };
}

describe('compatibility and offline readiness in the readiness facts', () => {
  it('a supported pair with every image present', async () => {
    await bootedTree('9.4', '4.17.3', ['quay.io/a:1', 'quay.io/b:2']);
    const exec = new FakeExec().on('crictl', crictlImages(['quay.io/a:1', 'quay.io/b:2']));
    const { section } = await gather(exec, { deployments: [deployment({ booted: true })] });
    expect(section.update).toMatchObject({
      state: 'ok',
      compatibility: { level: 'ok', message: 'RHEL 9.4 with MicroShift 4.17.3: a supported pair' },
      offline: { level: 'ok', tree: 'booted', message: 'booted deployment: all 2 images present', total: 2 },
    });
    expect(section.level).toBe('ok');
  });

  it("a staged deployment's jump and its images: the staged tree is what is checked", async () => {
    await bootedTree('9.4', '4.16.2', ['quay.io/a:1']);
    await put(`${STAGED_ROOT}/usr/lib/os-release`, 'VERSION_ID="9.6"\n');
    await put(`${STAGED_ROOT}${CORE}`, manifest('4.19.1', ['quay.io/a:1', 'quay.io/new:4.19']));
    await put(
      '/etc/containers/registries.conf.d/99-mirror.conf',
      '[[registry]]\nlocation="quay.io"\n[[registry.mirror]]\nlocation="mirror.local:5000"\n',
    );
    const exec = new FakeExec().on('crictl', crictlImages(['quay.io/a:1']));
    const staged = deployment({ staged: true, checksum: 'bbbb', serial: 0 });
    const { section } = await gather(exec, {
      pendingDeployments: Promise.resolve([deployment({ booted: true }), staged]),
    });
    const u = section.update!;
    expect(u.compatibility?.level).toBe('warn');
    expect(u.compatibility?.reasons).toContain('MicroShift 4.16 -> 4.19 is not a supported update path');
    expect(u.offline).toMatchObject({
      level: 'warn',
      tree: 'staged',
      airGapped: true,
      missingCount: 1,
      message: 'staged deployment: 1 of 2 images would need a pull: quay.io/new:4.19',
    });
    expect(section.level).toBe('warn');
  });

  it('missing images on a device with registry access are shown, not warned about', async () => {
    await bootedTree('9.4', '4.17.3', ['quay.io/a:1', 'quay.io/b:2']);
    const exec = new FakeExec().on('crictl', crictlImages(['quay.io/a:1']));
    const { section } = await gather(exec);
    expect(section.update?.offline).toMatchObject({ level: 'ok', airGapped: false, missingCount: 1 });
    expect(section.update?.compatibility?.message).toMatch(/rpm-ostree was not asked/);
  });

  it.each([
    ['not JSON', '{"images": ', new RegExp(`^${CORE}: not JSON \\(`)],
    ['images not an object', '{"images": ["quay.io/a:1"]}', new RegExp(`^${CORE}: images: .*expected \\{"release"`)],
  ])('a malformed release manifest (%s) names the file', async (_name, text, reason) => {
    await put('/etc/os-release', 'VERSION_ID="9.4"\n');
    await put(CORE, text);
    const exec = new FakeExec().on('crictl', crictlImages([]));
    const { section } = await gather(exec);
    expect(section.update?.state).toBe('ok');
    expect(section.update?.offline?.level).toBe('warn');
    expect(section.update?.offline?.message).toMatch(reason);
    expect(section.update?.compatibility?.level).toBe('warn');
  });

  it('a missing core manifest while MicroShift is installed is a reason naming the file', async () => {
    await put('/etc/os-release', 'VERSION_ID="9.4"\n');
    await put('/usr/lib/systemd/system/microshift.service', '[Unit]\n');
    const { section } = await gather(new FakeExec());
    expect(section.update?.offline).toMatchObject({
      level: 'warn',
      message: `${CORE} is missing: cannot tell which images MicroShift needs`,
    });
  });

  it("CRI-O stopped: the reason is crictl's, and the rest of the readiness facts are there", async () => {
    await bootedTree('9.4', '4.17.3', ['quay.io/a:1']);
    const stderr =
      'time="2026-12-04T20:00:00Z" level=fatal msg="validate service connection: rpc error: code = Unavailable desc = connection error"\n';
    const exec = new FakeExec().on('crictl', { exitCode: 1, stderr });
    const { section } = await gather(exec);
    expect(section.update?.offline?.message).toMatch(
      /^cannot list CRI-O's images: crictl images: validate service connection/,
    );
    expect(section.update?.compatibility?.level).toBe('ok');
    expect(section.fips).toBeDefined();
  });

  it("a hung crictl past the part's own limit says skipped, and the other facts still come back", async () => {
    await bootedTree('9.4', '4.17.3', ['quay.io/a:1']);
    const exec = new FakeExec().on('crictl', { hang: true });
    const controller = new AbortController();
    const { section } = await gather(exec, { updateLimitMs: 300, signal: controller.signal, timeoutMs: 60_000 });
    controller.abort();
    expect(section.update).toEqual({
      state: 'skipped',
      note: "the release manifests and CRI-O's images were not read within 0.3 s",
    });
    expect(section.pullSecret.file).toBe(SOURCES.pullSecret);
  });

  it('rpm-ostree without an answer: the booted tree is still judged, and the message says why no staged one', async () => {
    await bootedTree('9.2', '4.17.3', []);
    const { section } = await gather(new FakeExec().on('crictl', crictlImages([])), {
      pendingDeployments: Promise.resolve('rpm-ostree status: timed out.'),
    });
    expect(section.update?.compatibility).toMatchObject({ level: 'warn' });
    expect(section.update?.compatibility?.reasons).toEqual([
      'booted MicroShift 4.17 is not supported on RHEL 9.2 (supported: RHEL 9.4)',
      'a staged deployment was not looked for: rpm-ostree status: timed out',
    ]);
  });
});
