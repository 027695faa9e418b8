// Offline readiness: are all images MicroShift's release manifests name already in CRI-O's
// store? On an air-gapped site a missing image means the next boot cannot start MicroShift.
// Pure: manifests and CRI-O's image list in, a count and a bounded list of what is missing out.

export interface ReleaseManifest {
  /** The file it was read from, for messages. */
  file: string;
  /** `.release.base` when present (e.g. "4.15.12"). */
  base?: string;
  /** Image references, `.images` values in file order. */
  images: string[];
}

export interface LocalImage {
  repoTags: string[];
  repoDigests: string[];
}

export interface OfflineFact {
  level: 'ok' | 'warning';
  total: number;
  present: number;
  missingCount: number;
  /** At most `limit` missing references, sorted. */
  missing: string[];
  manifests: string[];
  summary: string;
}

export const MISSING_LIST_LIMIT = 10;

/** A reference with its implied tag, as container engines normalize it (`repo` means `repo:latest`). */
function normalize(ref: string): string {
  if (ref.includes('@')) return ref;
  const last = ref.slice(ref.lastIndexOf('/') + 1);
  return last.includes(':') ? ref : `${ref}:latest`;
}

const digestOf = (ref: string) => (ref.includes('@') ? ref.slice(ref.indexOf('@') + 1) : undefined);

export function compareImages(
  manifests: readonly ReleaseManifest[],
  local: readonly LocalImage[],
  limit = MISSING_LIST_LIMIT,
): OfflineFact {
  const wanted = [...new Set(manifests.flatMap((m) => m.images.map(normalize)))];
  const tags = new Set(local.flatMap((i) => i.repoTags.map(normalize)));
  // A digest names the content: an image pulled through a mirror is listed under the mirror's
  // repository name with the same digest, and it is the image the manifest means.
  const digests = new Set(local.flatMap((i) => i.repoDigests.map((d) => digestOf(d) ?? d)));
  const missing = wanted
    .filter((ref) => {
      const digest = digestOf(ref);
      return digest ? !digests.has(digest) : !tags.has(ref);
    })
    .sort();
  const total = wanted.length;
  const summary =
    missing.length === 0
      ? `all ${total} images present`
      : `${missing.length} of ${total} images would need a pull: ${missing.slice(0, limit).join(', ')}${
          missing.length > limit ? `, and ${missing.length - limit} more` : ''
        }`;
  return {
    level: missing.length === 0 ? 'ok' : 'warning',
    total,
    present: total - missing.length,
    missingCount: missing.length,
    missing: missing.slice(0, limit),
    manifests: manifests.map((m) => m.file),
    summary,
  };
}
