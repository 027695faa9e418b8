// The CRI-O stand-in's image store: which images the node has and how CRI-O describes them.
//
// What it simulates: an image stays on the node once a pod used it (removing pods keeps images,
// as CRI-O and MicroShift's pre-rollback cleanup do), the pause image is always there, and
// ListImages answers as CRI-O does: every image, or, given a filter, the one image that name
// resolves to (`repo:tag`, `repo` meaning `repo:latest`, `repo@sha256:...`, a full image id or
// a unique prefix of one), nothing when it resolves to none. Ids and sizes are made up but stable
// for the same reference. What it leaves out: pulling, removing (`crictl rmi`), layers, image
// specs and annotations, the image filesystem usage.
import { createHash } from 'node:crypto';
import { pauseImage, type SimState } from './model.js';

export interface ImageItem {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  /** uint64: a string in protobuf JSON. */
  size: string;
  uid: null;
  username: string;
  spec: null;
  pinned: boolean;
}

const hex = (text: string) => createHash('sha256').update(text).digest('hex');

/** A reference with its implied tag, as a container engine normalizes it. */
function normalized(ref: string): string {
  if (ref.includes('@')) return ref;
  const lastPart = ref.slice(ref.lastIndexOf('/') + 1);
  return lastPart.includes(':') ? ref : `${ref}:latest`;
}

export function imageItem(ref: string): ImageItem {
  const full = normalized(ref);
  const byDigest = full.includes('@');
  // Between 20 MB and 900 MB, fixed for a given reference.
  const size = 20_000_000 + (parseInt(hex(`size/${full}`).slice(0, 8), 16) % 880_000_000);
  return {
    id: hex(`image/${full}`),
    repoTags: byDigest ? [] : [full],
    repoDigests: byDigest ? [full] : [],
    size: String(size),
    uid: null,
    username: '',
    spec: null,
    pinned: full === pauseImage,
  };
}

/** Every image reference the node holds; records new ones in `state` (true when it changed). */
export function recordImages(state: SimState): boolean {
  const known = new Set(state.images ?? []);
  const before = known.size;
  known.add(pauseImage);
  for (const pod of state.pods) for (const c of pod.containers) known.add(normalized(c.image));
  state.images = [...known].sort();
  return known.size !== before;
}

/** CRI-O's ListImages: all images, or the one `filter` names (none when it names nothing). */
export function listImages(state: SimState, filter: string | undefined): ImageItem[] {
  const items = (state.images ?? []).map(imageItem);
  if (!filter) return items;
  const wanted = normalized(filter);
  const byName = items.find((i) => i.repoTags.includes(wanted) || i.repoDigests.includes(wanted));
  if (byName) return [byName];
  const id = filter.replace(/^sha256:/, '');
  const byId = /^[0-9a-f]+$/.test(id) ? items.filter((i) => i.id.startsWith(id)) : [];
  return byId.length === 1 ? byId : [];
}
