// The two update-readiness facts read from the host: compatibility (RHEL release and MicroShift
// version of the booted tree and of a staged deployment's tree) and offline readiness (the
// release manifests' images against CRI-O's store). Shared by `preflight`, `status` and the
// daemon's report of a staged update.
import { checkCompatibility, type CompatFact } from '../core/readiness/compat.js';
import { compareImages } from '../core/readiness/offline.js';
import type { OfflineRead } from '../core/readiness/update.js';
import type { Deployment } from '../core/deployment.js';
import { parseOsRelease } from './system-facts.js';
import type { Crio } from './crio.js';
import type { HostFs } from './fs.js';
import { deploymentRoot, readReleaseManifests, RELEASE_DIR, type ReleaseManifests } from './microshift-release.js';

export interface TreeFacts {
  /** '' for the booted tree, else the deployment's checkout under /ostree/deploy. */
  root: string;
  exists: boolean;
  rhel?: string;
  /** `.release.base` of the core manifest. */
  microshift?: string;
  release: ReleaseManifests;
}

export async function readTreeFacts(fs: HostFs, arch: string, root = ''): Promise<TreeFacts> {
  const exists = root === '' || (await fs.exists(root));
  // The booted tree's /etc is the merged one; a deployment's checkout carries os-release in /usr/lib.
  const osRelease =
    (root === '' ? await fs.readText('/etc/os-release') : undefined) ??
    (await fs.readText(`${root}/usr/lib/os-release`));
  const release = exists ? await readReleaseManifests(fs, arch, root) : { manifests: [], problems: [] };
  const coreFile = `${root}${RELEASE_DIR}/release-${arch}.json`;
  const core = release.manifests.find((m) => m.file === coreFile);
  // Optional components' manifests without the core one: MicroShift's own images are unknown.
  if (!core && release.manifests.length > 0)
    release.problems.push(`${coreFile} is missing: cannot tell which images MicroShift needs`);
  return {
    root,
    exists,
    rhel: osRelease === undefined ? undefined : parseOsRelease(osRelease).VERSION_ID,
    microshift: core?.base,
    release,
  };
}

export async function readStagedTree(fs: HostFs, arch: string, staged: Deployment): Promise<TreeFacts | undefined> {
  const root = deploymentRoot(staged);
  return root === undefined ? undefined : readTreeFacts(fs, arch, root);
}

export function compatibilityOf(booted: TreeFacts, staged: TreeFacts | undefined): CompatFact {
  const fact = checkCompatibility({
    rhel: booted.rhel,
    microshift: booted.microshift,
    staged: staged && { rhel: staged.rhel, microshift: staged.microshift },
  });
  // A manifest that cannot be read hides the version: say so rather than judge without it.
  const problems = [...booted.release.problems, ...(staged?.release.problems ?? [])];
  // Without MicroShift on the booted tree a missing checkout has nothing to say (a real host always has it).
  if (staged && !staged.exists && booted.microshift)
    problems.push(`the staged deployment's tree ${staged.root} is not there: its MicroShift version is unknown`);
  else if (staged && booted.microshift && !staged.microshift && staged.release.problems.length === 0)
    problems.push(
      `the staged deployment has no MicroShift release manifest: MicroShift ${booted.microshift} would be gone`,
    );
  if (problems.length === 0) return fact;
  return { ...fact, level: 'warning', reasons: [...fact.reasons, ...problems], unreadable: problems };
}

/** undefined when the tree has no release manifest (MicroShift not in it). */
export async function readOfflineFact(
  crio: Pick<Crio, 'images'>,
  tree: TreeFacts,
  signal?: AbortSignal,
  timeoutMs = 15_000,
): Promise<OfflineRead | undefined> {
  if (tree.release.problems.length) return { ok: false, reason: tree.release.problems.join('; ') };
  if (tree.release.manifests.length === 0) return undefined;
  try {
    const local = await crio.images({ signal, timeoutMs });
    return { ok: true, value: compareImages(tree.release.manifests, local) };
  } catch (error) {
    signal?.throwIfAborted();
    return { ok: false, reason: `cannot list CRI-O's images: ${(error as Error).message}` };
  }
}
