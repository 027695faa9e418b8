// Compatibility and offline readiness in one call, for whoever shows them: `preflight` today,
// `status` and the daemon's hub status when they take them up. It runs crictl, so a caller on
// a hot path (status's cold start) should take the daemon's copy rather than call it each time.
import { arch } from 'node:os';
import type { CompatFact } from '../core/readiness/compat.js';
import type { Deployment } from '../core/deployment.js';
import { createCrio } from './crio.js';
import type { Host } from './host.js';
import { releaseArch, RELEASE_DIR } from './microshift-release.js';
import {
  compatibilityOf,
  readOfflineFact,
  readStagedTree,
  readTreeFacts,
  type OfflineRead,
} from './update-readiness.js';

const UNIT_DIRS = ['/etc/systemd/system', '/usr/lib/systemd/system'];

export interface UpdateReadiness {
  microshiftInstalled: boolean;
  /** MicroShift version of the booted tree (its release manifest's base). */
  microshiftVersion?: string;
  compatibility: CompatFact;
  /** Images of the staged deployment when one is staged, else of the booted one. */
  offline: { tree: 'staged' | 'booted'; result: OfflineRead | undefined };
}

export async function probeUpdateReadiness(
  host: Host,
  staged: Deployment | undefined,
  signal?: AbortSignal,
): Promise<UpdateReadiness> {
  const machineArch = releaseArch(arch());
  const core = `${RELEASE_DIR}/release-${machineArch}.json`;
  const [booted, stagedTree, installed] = await Promise.all([
    readTreeFacts(host.fs, machineArch),
    staged ? readStagedTree(host.fs, machineArch, staged) : undefined,
    Promise.all([...UNIT_DIRS.map((d) => `${d}/microshift.service`), core].map((p) => host.fs.exists(p))).then(
      (found) => found.some(Boolean),
    ),
  ]);
  const tree = stagedTree ?? booted;
  let offline = await readOfflineFact(createCrio({ exec: host.exec, fs: host.fs }), tree, signal);
  // MicroShift is there (or was, for a staged tree) but the manifest is not: that is a finding.
  if (!offline && (installed || (stagedTree && booted.microshift)))
    offline = { ok: false, reason: `${tree.root}${core} is missing: cannot tell which images MicroShift needs` };
  return {
    microshiftInstalled: installed,
    microshiftVersion: booted.microshift,
    compatibility: compatibilityOf(booted, stagedTree),
    offline: { tree: stagedTree ? 'staged' : 'booted', result: offline },
  };
}
