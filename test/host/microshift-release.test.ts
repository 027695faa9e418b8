// Release manifests read from a re-rooted tree: the booted one and a staged deployment's checkout.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHostFs } from '../../agent/host/fs.js';
import { deploymentRoot, readReleaseManifests, releaseArch } from '../../agent/host/microshift-release.js';
import { compatibilityOf, type TreeFacts } from '../../agent/host/update-readiness.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'release-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const write = (path: string, text: string) => {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
};
const dir = '/usr/share/microshift/release';
const manifest = (base: string, images: Record<string, string>) => JSON.stringify({ release: { base }, images });

describe('readReleaseManifests', () => {
  it('reads the core manifest first, then the optional ones of this architecture only', async () => {
    write(`${dir}/release-olm-x86_64.json`, manifest('4.15.2', { olm: 'quay.io/olm@sha256:1' }));
    write(`${dir}/release-x86_64.json`, manifest('4.15.2', { pod: 'quay.io/pod@sha256:2', dns: 'quay.io/dns:v1' }));
    write(`${dir}/release-aarch64.json`, manifest('4.15.2', { pod: 'quay.io/pod@sha256:3' }));
    const read = await readReleaseManifests(createHostFs(root), 'x86_64');
    expect(read.problems).toEqual([]);
    expect(read.manifests).toEqual([
      { file: `${dir}/release-x86_64.json`, base: '4.15.2', images: ['quay.io/pod@sha256:2', 'quay.io/dns:v1'] },
      { file: `${dir}/release-olm-x86_64.json`, base: '4.15.2', images: ['quay.io/olm@sha256:1'] },
    ]);
  });

  it('reads a staged deployment from its checkout under /ostree/deploy', async () => {
    const d = { osname: 'rhel', checksum: 'abc', serial: 0, booted: false, staged: true } as const;
    const tree = deploymentRoot({ ...d, packages: [], requestedPackages: [], pinned: false, extra: {} });
    expect(tree).toBe('/ostree/deploy/rhel/deploy/abc.0');
    write(`${tree}${dir}/release-x86_64.json`, manifest('4.16.0', { pod: 'quay.io/pod@sha256:4' }));
    const read = await readReleaseManifests(createHostFs(root), 'x86_64', tree);
    expect(read.manifests.map((m) => m.base)).toEqual(['4.16.0']);
  });

  it.each([
    ['not JSON', '{"images": ', /release-x86_64\.json: not JSON \(/],
    ['no images', '{"release": {"base": "4.15.0"}}', /release-x86_64\.json: images: .*expected \{"release"/],
    ['an image that is not a string', '{"images": {"pod": 7}}', /release-x86_64\.json: images\.pod: .*expected/],
    ['an array', '[]', /release-x86_64\.json: \(top level\): /],
  ])('%s: a problem naming the file and key, the other manifests still read', async (_name, text, pattern) => {
    write(`${dir}/release-x86_64.json`, text);
    write(`${dir}/release-olm-x86_64.json`, manifest('4.15.2', { olm: 'quay.io/olm@sha256:1' }));
    const read = await readReleaseManifests(createHostFs(root), 'x86_64');
    expect(read.problems).toHaveLength(1);
    expect(read.problems[0]).toMatch(pattern);
    expect(read.manifests.map((m) => m.file)).toEqual([`${dir}/release-olm-x86_64.json`]);
  });

  it('finds nothing, and no problem, where MicroShift is not installed', async () => {
    expect(await readReleaseManifests(createHostFs(root), 'x86_64')).toEqual({ manifests: [], problems: [] });
  });

  it('names architectures as uname -m does', () => {
    expect([releaseArch('x64'), releaseArch('arm64')]).toEqual(['x86_64', 'aarch64']);
  });
});

describe('compatibilityOf', () => {
  const tree = (over: Partial<TreeFacts>): TreeFacts => ({
    root: '',
    exists: true,
    release: { manifests: [], problems: [] },
    ...over,
  });

  it('warns when the staged checkout is missing on a MicroShift host, and not on a host without it', () => {
    const staged = tree({ root: '/ostree/deploy/rhel/deploy/abc.0', exists: false });
    expect(compatibilityOf(tree({ rhel: '9.2', microshift: '4.15.2' }), staged)).toMatchObject({
      level: 'warning',
      reasons: [
        "the staged deployment's tree /ostree/deploy/rhel/deploy/abc.0 is not there: its MicroShift version is unknown",
      ],
    });
    expect(compatibilityOf(tree({ rhel: '9.2' }), staged).level).toBe('unknown');
  });

  it('warns when the staged deployment drops MicroShift, and passes manifest problems on as reasons', () => {
    const booted = tree({ rhel: '9.2', microshift: '4.15.2' });
    expect(compatibilityOf(booted, tree({ root: '/x' })).reasons).toEqual([
      'the staged deployment has no MicroShift release manifest: MicroShift 4.15.2 would be gone',
    ]);
    const broken = tree({ root: '/x', release: { manifests: [], problems: ['/x/f.json: not JSON (oops)'] } });
    expect(compatibilityOf(booted, broken)).toMatchObject({
      level: 'warning',
      reasons: ['/x/f.json: not JSON (oops)'],
    });
  });
});
