// The rpm-ostree stand-in's state and its transitions: pure functions over plain data, shared by
// the in-device CLI (cli.ts) and the host-side harness (device-rpm-ostree.ts).
//
// Simulates ostree's deployment list: boot order (index 0 = default for the next boot), one
// booted deployment, at most one staged deployment (listed first, as rpm-ostree does), and
// ostree's default retention: after finalizing, the new default and the previously booted one,
// plus pinned ones. Leaves out: commits and their content, package diffs, stateroots other than
// one per deployment's osname, /etc merges, kernel arguments.
import { createHash } from 'node:crypto';

export interface SimDeployment {
  id: string;
  osname: string;
  serial: number;
  checksum: string;
  version: string;
  /** Commit time, seconds since the epoch. */
  timestamp: number;
  /** Commit-based systems: a refspec like `edge:rhel/9/x86_64/edge`. */
  origin?: string;
  /** Container-native systems, instead of origin. */
  'container-image-reference'?: string;
  pinned: boolean;
  'requested-packages': string[];
  packages: string[];
  /** Base packages requested removed (rpm-ostree prints the list always, empty when none). */
  'requested-base-removals'?: string[];
  /** Only when packages are layered: the base commit under the local layered commit. */
  'base-checksum'?: string;
}

export interface AvailableUpdate {
  version: string;
  checksum: string;
  timestamp: number;
}

export interface SimState {
  format: 1;
  /** Boot order: index 0 boots next. */
  deployments: SimDeployment[];
  booted: string;
  staged?: string;
  /** What the remote offers: `rpm-ostree upgrade` stages it. */
  available?: AvailableUpdate;
  /** A transaction another client holds (title, initiator), shown by `status`; tests set it. */
  transaction?: [string, string];
}

export const stateFileInside = '/var/lib/rpm-ostree-sim/state.json';

export function deploymentId(osname: string, checksum: string, serial: number): string {
  return `${osname}-${checksum}.${serial}`;
}

/** A new deployment of `update` on top of `base`: same OS, origin and layered packages. */
export function deployUpdate(state: SimState, update: AvailableUpdate): SimDeployment {
  const base = bootedDeployment(state);
  // ostree numbers deployments of the same commit: serial 0, 1, ...
  // Layered packages are re-applied on the new base: a new local commit over it.
  const layered = base['requested-packages'].length > 0;
  const checksum = layered ? layeredChecksum(update.checksum, base['requested-packages']) : update.checksum;
  const serial = state.deployments.filter((d) => d.checksum === checksum && d.osname === base.osname).length;
  return {
    ...base,
    id: deploymentId(base.osname, checksum, serial),
    serial,
    checksum,
    version: update.version,
    timestamp: update.timestamp,
    pinned: false,
    ...(layered ? { 'base-checksum': update.checksum } : {}),
  };
}

/** The fake id of a local commit layering `packages` over `base`. */
export function layeredChecksum(base: string, packages: string[]): string {
  return createHash('sha256')
    .update(`${base}+${packages.join(',')}`)
    .digest('hex');
}

export function bootedDeployment(state: SimState): SimDeployment {
  const booted = state.deployments.find((d) => d.id === state.booted);
  if (!booted) throw new Error(`rpm-ostree-sim: booted deployment ${state.booted} is not in the list`);
  return booted;
}

/** `rpm-ostree upgrade`: stage the available update, replacing an older staged one. */
export function stage(state: SimState): { state: SimState; staged?: SimDeployment } {
  const update = state.available;
  // Nothing new when the next boot already gets that commit (staged or default).
  if (!update || state.deployments[0]?.checksum === update.checksum) return { state };
  const deployments = state.deployments.filter((d) => d.id !== state.staged);
  const staged = deployUpdate({ ...state, deployments }, update);
  return { state: { ...state, deployments: [staged, ...deployments], staged: staged.id }, staged };
}

/**
 * ostree-finalize-staged at shutdown: the staged deployment becomes a regular one and the
 * default; the booted one becomes the rollback; others go unless pinned.
 */
export function finalize(state: SimState): { state: SimState; finalized?: SimDeployment } {
  if (!state.staged) return { state };
  const [staged, ...rest] = state.deployments;
  if (!staged || staged.id !== state.staged) throw new Error('rpm-ostree-sim: staged deployment is not first');
  const booted = bootedDeployment(state);
  const kept = rest.filter((d) => d.id === booted.id || d.pinned);
  return { state: { ...state, deployments: [staged, ...kept], staged: undefined }, finalized: staged };
}

/** The bootloader booted entry `index` (clamped: GRUB falls back to what exists). */
export function markBooted(state: SimState, index: number): SimState {
  if (state.staged) throw new Error('rpm-ostree-sim: finalize the staged deployment before booting');
  const booted = state.deployments[Math.min(index, state.deployments.length - 1)];
  if (!booted) throw new Error('rpm-ostree-sim: no deployments');
  return { ...state, booted: booted.id };
}

/**
 * `rpm-ostree rollback`: if the booted deployment is not the default (a fallback boot), make it
 * the default again; otherwise make the previous deployment the default. A staged deployment is
 * dropped first (simplification: the real tool's handling of staged deployments is not modelled).
 */
export function rollback(state: SimState): { state: SimState; moved: SimDeployment } {
  const deployments = state.deployments.filter((d) => d.id !== state.staged);
  const bootedAt = deployments.findIndex((d) => d.id === state.booted);
  const target = bootedAt > 0 ? bootedAt : 1;
  const moved = deployments[target];
  if (!moved) throw new Error('No rollback deployment found');
  const reordered = [moved, ...deployments.filter((_, i) => i !== target)];
  return { state: { ...state, deployments: reordered, staged: undefined }, moved };
}
