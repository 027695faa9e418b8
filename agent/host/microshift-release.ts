// MicroShift's release manifests: /usr/share/microshift/release/release-<arch>.json (the core
// images) and release-<component>-<arch>.json from optional packages (olm, multus, ...). Read
// from the booted tree, or from a staged deployment's tree under /ostree/deploy, so the images of
// the next boot can be checked before it happens.
import * as z from 'zod/mini';
// For zod's English messages, which this file passes on.
import '../core/zod.js';
import type { Deployment } from '../core/deployment.js';
import type { ReleaseManifest } from '../core/readiness/offline.js';
import { DataError } from '../errors.js';
import type { HostFs } from './fs.js';

export const RELEASE_DIR = '/usr/share/microshift/release';

/** The architecture name MicroShift puts in the file names (uname -m), from Node's. */
export function releaseArch(nodeArch: string): string {
  return nodeArch === 'x64' ? 'x86_64' : nodeArch === 'arm64' ? 'aarch64' : nodeArch;
}

/** Where ostree checks a deployment out: /ostree/deploy/<osname>/deploy/<checksum>.<serial>. */
export function deploymentRoot(d: Deployment): string | undefined {
  if (!d.osname || !d.checksum || d.serial === undefined) return undefined;
  return `/ostree/deploy/${d.osname}/deploy/${d.checksum}.${d.serial}`;
}

const manifestSchema = z.object({
  release: z.optional(z.object({ base: z.optional(z.string()) })),
  images: z.record(z.string(), z.string()),
});

/** Parse one manifest; anything but `{"images": {name: ref}}` is a DataError naming the file and key. */
export function parseReleaseManifest(file: string, text: string): ReleaseManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DataError('release-manifest-invalid', `${file}: not JSON (${(error as Error).message})`);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path.length ? issue.path.map(String).join('.') : '(top level)';
    throw new DataError(
      'release-manifest-invalid',
      `${file}: ${key}: ${issue.message}; expected {"release": {"base": "<version>"}, "images": {"<name>": "<image reference>"}}`,
    );
  }
  return { file, base: parsed.data.release?.base, images: Object.values(parsed.data.images) };
}

export interface ReleaseManifests {
  /** The core manifest first, then the optional ones by file name; empty when none exists. */
  manifests: ReleaseManifest[];
  /** Files that could not be read, one precise message each. */
  problems: string[];
}

/** Every manifest for `arch` in the tree at `root` ('' = the booted tree). */
export async function readReleaseManifests(fs: HostFs, arch: string, root = ''): Promise<ReleaseManifests> {
  const dir = `${root}${RELEASE_DIR}`;
  const core = `release-${arch}.json`;
  const optional = (await fs.list(dir)).filter(
    (name) => name !== core && name.startsWith('release-') && name.endsWith(`-${arch}.json`),
  );
  const manifests: ReleaseManifest[] = [];
  const problems: string[] = [];
  for (const name of [core, ...optional]) {
    const file = `${dir}/${name}`;
    try {
      const text = await fs.readText(file);
      if (text === undefined) continue;
      manifests.push(parseReleaseManifest(file, text));
    } catch (error) {
      problems.push(error instanceof DataError ? error.message : `${file}: ${(error as Error).message}`);
    }
  }
  return { manifests, problems };
}
