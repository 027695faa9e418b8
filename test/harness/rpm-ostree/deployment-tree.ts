// A deployment's checkout, where ostree keeps it: /ostree/deploy/<osname>/deploy/<checksum>.<serial>.
// The rpm-ostree stand-in keeps no file trees (state.ts); a test that needs what a staged
// deployment would bring (its os-release, MicroShift's release manifests) writes those few files
// here, where edge-agent looks for them on a real host. What it leaves out: every other file.
import type { VirtualDevice } from '../vdev.js';
import type { SimDeployment } from './state.js';

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
