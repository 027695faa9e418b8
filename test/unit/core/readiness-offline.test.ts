import { describe, expect, it } from 'vitest';
import { compareImages, type LocalImage } from '../../../agent/core/readiness/offline.js';

const digest = (n: number) => `sha256:${String(n).padStart(64, '0')}`;
const byDigest = (repo: string, n: number) => `${repo}@${digest(n)}`;
const core = {
  file: '/usr/share/microshift/release/release-x86_64.json',
  base: '4.15.12',
  images: [
    byDigest('quay.io/openshift-release-dev/ocp-v4.0-art-dev', 1),
    byDigest('quay.io/openshift-release-dev/ocp-v4.0-art-dev', 2),
  ],
};
const olm = {
  file: '/usr/share/microshift/release/release-olm-x86_64.json',
  images: [
    byDigest('quay.io/openshift-release-dev/ocp-v4.0-art-dev', 2),
    'registry.redhat.io/lvms4/lvms-rhel9-operator:v4.15',
  ],
};

describe('compareImages', () => {
  it('counts every distinct image once and finds all present', () => {
    const local: LocalImage[] = [
      { repoTags: [], repoDigests: [byDigest('quay.io/openshift-release-dev/ocp-v4.0-art-dev', 1)] },
      { repoTags: [], repoDigests: [byDigest('quay.io/openshift-release-dev/ocp-v4.0-art-dev', 2)] },
      { repoTags: ['registry.redhat.io/lvms4/lvms-rhel9-operator:v4.15'], repoDigests: [] },
    ];
    expect(compareImages([core, olm], local)).toMatchObject({
      level: 'ok',
      total: 3,
      present: 3,
      missingCount: 0,
      missing: [],
      summary: 'all 3 images present',
      manifests: [core.file, olm.file],
    });
  });

  it('takes an image pulled through a mirror (another repository, the same digest) as present', () => {
    const local = [
      { repoTags: [], repoDigests: [byDigest('mirror.local:5000/ocp-v4.0-art-dev', 1)] },
      { repoTags: [], repoDigests: [byDigest('mirror.local:5000/ocp-v4.0-art-dev', 2)] },
    ];
    expect(compareImages([core], local).level).toBe('ok');
  });

  it('lists what would need a pull, a tag meaning its own tag only', () => {
    const local = [
      { repoTags: ['registry.redhat.io/lvms4/lvms-rhel9-operator:v4.14'], repoDigests: [] },
      { repoTags: [], repoDigests: [byDigest('quay.io/openshift-release-dev/ocp-v4.0-art-dev', 1)] },
    ];
    const fact = compareImages([core, olm], local);
    expect(fact.level).toBe('warning');
    expect(fact.missing).toEqual([
      byDigest('quay.io/openshift-release-dev/ocp-v4.0-art-dev', 2),
      'registry.redhat.io/lvms4/lvms-rhel9-operator:v4.15',
    ]);
    expect(fact.summary).toBe(`2 of 3 images would need a pull: ${fact.missing.join(', ')}`);
  });

  it('treats an untagged reference as :latest', () => {
    const manifest = { file: 'f', images: ['example.com/a'] };
    expect(compareImages([manifest], [{ repoTags: ['example.com/a:latest'], repoDigests: [] }]).level).toBe('ok');
  });

  it('bounds the list and says how many more', () => {
    const manifest = { file: 'f', images: Array.from({ length: 25 }, (_, i) => byDigest('example.com/x', i)) };
    const fact = compareImages([manifest], [], 10);
    expect(fact.missingCount).toBe(25);
    expect(fact.missing).toHaveLength(10);
    expect(fact.summary).toMatch(/^25 of 25 images would need a pull: .*, and 15 more$/);
  });
});
