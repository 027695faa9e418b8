// Deployments as edge-agent sees them, and the pure rules for naming them and for telling which
// one is booted, staged, pending or the rollback target. The adapter (host/rpm-ostree.ts) parses
// `rpm-ostree status --json` into these shapes; nothing here does I/O.

export interface Deployment {
  /** ostree's deployment id, e.g. `rhel-<checksum>.0`. */
  id?: string;
  osname?: string;
  serial?: number;
  /** The deployed commit. Empty only when rpm-ostree left it out (a warning says so). */
  checksum: string;
  version?: string;
  /** Commit time, seconds since the epoch. */
  timestamp?: number;
  /** Refspec of a commit-based system, e.g. `edge:rhel/9/x86_64/edge`. */
  origin?: string;
  /** Image of a container-native system, e.g. `ostree-unverified-registry:quay.io/x/edge:9.4`. */
  containerImageReference?: string;
  booted: boolean;
  staged: boolean;
  pinned: boolean;
  /** Layered packages (NEVRAs or names as rpm-ostree prints them). */
  packages: string[];
  requestedPackages: string[];
  /** Base packages requested removed (`rpm-ostree override remove`); absent from older parses. */
  requestedBaseRemovals?: string[];
  /** The base commit when packages are layered on top of it. */
  baseChecksum?: string;
  /** Fields this version of edge-agent does not know, kept as they were. */
  extra: Record<string, unknown>;
}

/**
 * booted: running now. staged: finalized at shutdown, the next boot's default. pending: a
 * non-staged deployment ahead of the booted one (e.g. after `rpm-ostree rollback` before the
 * reboot). rollback: the first deployment after the booted one, what a rollback would boot.
 */
export type DeploymentRole = 'booted' | 'staged' | 'pending' | 'rollback' | 'other';

export interface DeploymentRoles {
  booted?: Deployment;
  staged?: Deployment;
  pending?: Deployment;
  rollback?: Deployment;
  /** Index of the deployment the next boot picks (rpm-ostree lists them in boot order). */
  defaultIndex: number;
}

export function findDeploymentRoles(deployments: readonly Deployment[]): DeploymentRoles {
  const bootedIndex = deployments.findIndex((d) => d.booted);
  const booted = deployments[bootedIndex];
  const staged = deployments.find((d) => d.staged && !d.booted);
  // ostree's own definition: pending sits before the booted deployment, rollback right after it.
  const first = deployments[0];
  const pending = bootedIndex > 0 && first && !first.staged ? first : undefined;
  const rollback = bootedIndex >= 0 ? deployments.slice(bootedIndex + 1).find((d) => !d.staged) : undefined;
  return { booted, staged, pending, rollback, defaultIndex: 0 };
}

export function roleOf(deployment: Deployment, roles: DeploymentRoles): DeploymentRole {
  if (deployment === roles.booted) return 'booted';
  if (deployment === roles.staged) return 'staged';
  if (deployment === roles.pending) return 'pending';
  if (deployment === roles.rollback) return 'rollback';
  return 'other';
}

/** The 7-character commit prefix people know from `rpm-ostree status` and git. */
export function shortChecksum(checksum: string): string {
  return checksum.slice(0, 7);
}

/** "9.4.20240601 (abc1234)", or just the short checksum when the commit has no version. */
export function deploymentDisplayName(deployment: Pick<Deployment, 'version' | 'checksum'>): string {
  const short = deployment.checksum ? shortChecksum(deployment.checksum) : 'unknown commit';
  return deployment.version ? `${deployment.version} (${short})` : short;
}

/** What `rpm-ostree status` says about the host, parsed. */
export interface DeploymentSet extends DeploymentRoles {
  /** In boot order: index 0 is the next boot's default. */
  deployments: Deployment[];
  /** An rpm-ostree transaction (upgrade, rollback, ...) in progress right now. */
  transaction?: { title: string; initiator?: string };
  /** An update the daemon downloaded metadata for but did not deploy. */
  cachedUpdate?: { checksum?: string; version?: string; timestamp?: number };
  /** The tool that owns updates (e.g. a fleet agent), when one registered itself. */
  updateDriver?: { name?: string; unit?: string };
  /** What was odd in the output and was skipped or kept as is. */
  warnings: string[];
}
