// Compatibility and offline readiness in one call, for `preflight`, `status` and the daemon's hub
// status. It runs crictl once, so the daemon keeps its answer a while (keepReadiness) and
// `status` gives it a short time limit of its own.
import { arch } from 'node:os';
import type { Deployment } from '../core/deployment.js';
import { createCrio } from './crio.js';
import type { Exec } from './exec.js';
import type { HostFs } from './fs.js';
import { releaseArch, RELEASE_DIR } from './microshift-release.js';
import type { UpdateReadiness } from '../core/readiness/update.js';
import { compatibilityOf, readOfflineFact, readStagedTree, readTreeFacts } from './update-readiness.js';

const UNIT_DIRS = ['/etc/systemd/system', '/usr/lib/systemd/system'];

export type { UpdateReadiness };

export async function probeUpdateReadiness(
  host: { fs: HostFs; exec: Exec },
  staged: Deployment | undefined,
  signal?: AbortSignal,
  /** Of the one crictl run. */
  crioTimeoutMs = 15_000,
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
  let offline = await readOfflineFact(createCrio({ exec: host.exec, fs: host.fs }), tree, signal, crioTimeoutMs);
  // MicroShift is there (or was, for a staged tree) but the manifest is not: that is a finding.
  if (!offline && (installed || (stagedTree && booted.microshift)))
    offline = { ok: false, reason: `${tree.root}${core} is missing: cannot tell which images MicroShift needs` };
  let compatibility = compatibilityOf(booted, stagedTree);
  // MicroShift's unit is there but its manifest is not: the booted version cannot be judged.
  if (
    installed &&
    !booted.microshift &&
    booted.release.manifests.length === 0 &&
    booted.release.problems.length === 0
  ) {
    const missing = `${core} is missing: the booted MicroShift version is unknown`;
    compatibility = {
      ...compatibility,
      level: 'warning',
      reasons: [...compatibility.reasons, missing],
      unreadable: [...(compatibility.unreadable ?? []), missing],
    };
  }
  return {
    microshiftInstalled: installed,
    microshiftVersion: booted.microshift,
    compatibility,
    offline: { tree: stagedTree ? 'staged' : 'booted', result: offline },
  };
}
