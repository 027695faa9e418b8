// A deployment's checkout, where ostree keeps it: /ostree/deploy/<osname>/deploy/<checksum>.<serial>,
// with its origin file beside it (<checksum>.<serial>.origin).
//
// The rpm-ostree stand-in keeps one directory per deployment in its state, made and removed with
// the deployments, and each origin file rewritten (by rename, as ostree writes it) when what it
// records changes: the refspec or container image, layered packages and base removals
// ([packages] requested=, [overrides] remove=, rpm-ostree's keys), and a pin (ostree's
// [libostree-transient] pinned=true). So a reader that watches the deploy directory's mtime sees a
// deployment added or removed, a pin, a layering change, as on a real sysroot. The checkouts are
// otherwise empty: a test that needs what a deployment would bring (its os-release, MicroShift's
// release manifests) writes those few files (writeDeploymentFiles), where edge-agent looks for
// them on a real host. What it leaves out: every other file, hard links into the repo, /etc merges.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VirtualDevice } from '../vdev.js';
import type { SimDeployment, SimState } from './state.js';

export function deploymentTree(d: Pick<SimDeployment, 'osname' | 'checksum' | 'serial'>): string {
  return `/ostree/deploy/${d.osname}/deploy/${d.checksum}.${d.serial}`;
}

/** Write files (paths inside the deployment) into the deployment's checkout. */
export async function writeDeploymentFiles(
  device: VirtualDevice,
  d: Pick<SimDeployment, 'osname' | 'checksum' | 'serial'>,
  files: Record<string, string>,
): Promise<void> {
  for (const [path, text] of Object.entries(files)) await device.writeFile(`${deploymentTree(d)}${path}`, text);
}

/** The origin file's text for a deployment. */
export function renderOrigin(d: SimDeployment): string {
  const lines = ['[origin]'];
  if (d['container-image-reference']) lines.push(`container-image-reference=${d['container-image-reference']}`);
  else if (d.origin) lines.push(`refspec=${d.origin}`);
  if (d['requested-packages'].length > 0)
    lines.push('', '[packages]', `requested=${d['requested-packages'].join(';')};`);
  const removals = d['requested-base-removals'] ?? [];
  if (removals.length > 0) lines.push('', '[overrides]', `remove=${removals.join(';')};`);
  if (d.pinned) lines.push('', '[libostree-transient]', 'pinned=true');
  return `${lines.join('\n')}\n`;
}

const checkoutName = /^[0-9a-f]+\.\d+(\.origin)?$/;

/** Make `<root>/ostree/deploy/<os>/deploy` hold exactly the deployments of `state`. */
export function writeDeploymentDirs(root: string, state: SimState): void {
  const byOs = new Map<string, SimDeployment[]>();
  for (const d of state.deployments) byOs.set(d.osname, [...(byOs.get(d.osname) ?? []), d]);
  const osDir = join(root, '/ostree/deploy');
  const osnames = new Set([...byOs.keys(), ...(existsSync(osDir) ? readdirSync(osDir) : [])]);
  for (const os of osnames) {
    const dir = join(osDir, os, 'deploy');
    mkdirSync(dir, { recursive: true });
    const deployments = byOs.get(os) ?? [];
    const keep = new Set(deployments.flatMap((d) => [`${d.checksum}.${d.serial}`, `${d.checksum}.${d.serial}.origin`]));
    for (const name of readdirSync(dir))
      if (checkoutName.test(name) && !keep.has(name)) rmSync(join(dir, name), { recursive: true, force: true });
    for (const d of deployments) {
      const tree = join(root, deploymentTree(d));
      mkdirSync(tree, { recursive: true });
      const origin = `${tree}.origin`;
      const text = renderOrigin(d);
      // Rewritten only when it changes, so the directory's mtime moves only with a real change.
      if (existsSync(origin) && readFileSync(origin, 'utf8') === text) continue;
      writeFileSync(`${origin}.tmp`, text);
      renameSync(`${origin}.tmp`, origin);
    }
  }
}
