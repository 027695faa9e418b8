// Images already on the node before any pod ran: what a RHEL for Edge image with MicroShift's
// release images embedded (or a mirror pre-pull) gives CRI-O. The CRI-O stand-in's daemon reads
// its image list from its state file when it starts, so the list is written with crio.service
// stopped and CRI-O started again. What it leaves out: image layers and sizes (image-store.ts).
import type { VirtualDevice } from '../vdev.js';
import type { SimState } from './model.js';
import { crioPaths } from './paths.js';

export async function preloadImages(device: VirtualDevice, refs: readonly string[]): Promise<void> {
  await device.sh('systemctl stop crio.service');
  let state: SimState = { format: 1, pods: [] };
  try {
    state = JSON.parse(await device.readFile(crioPaths.state)) as SimState;
  } catch {
    // No state yet: CRI-O never ran pods here.
  }
  await device.writeFile(crioPaths.state, `${JSON.stringify({ ...state, images: [...refs] }, null, 2)}\n`);
  await device.sh('systemctl start crio.service');
}
