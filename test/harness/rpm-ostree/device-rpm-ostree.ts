// Host side of the rpm-ostree stand-in: install it into a virtual device, offer and stage
// updates, and apply what happens to deployments between boots.
//
// Simulates: `rpm-ostree` at /usr/bin/rpm-ostree and `ostree` at /usr/bin/ostree (shell wrappers
// running the bundled cli.ts with the host's node), ostree-finalize-staged.service (started when
// a deployment is staged; its shutdown work is finalizeStaged here), BLS entries per deployment
// (bls.ts), a remote that offers one update at a time (makeUpdateAvailable), and the boot-time
// part of ostree: ostree-finalize-staged at shutdown, then the bootloader's choice of entry marks
// a deployment booted. Leaves out: real commits, /usr contents (every deployment runs the same
// host /usr), kernels, kernel arguments, ostree-finalize-staged.path (ostree starts the unit
// itself). Boot-time steps run only when the harness
// reboots a device through greenboot/boot-cycle.ts; a plain device.reboot() keeps them as they are.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { VirtualDevice } from '../vdev.js';
import { deviceRoot } from '../grub/device-grub.js';
import { writeBlsEntries } from './bls.js';
import { writeDeploymentDirs } from './deployment-tree.js';
import { buildRpmOstree } from './build.js';
import {
  deploymentId,
  finalize,
  layeredChecksum,
  markBooted,
  stateFileInside,
  type AvailableUpdate,
  type SimDeployment,
  type SimState,
} from './state.js';

export interface DeploymentSpec {
  version: string;
  checksum?: string;
  osname?: string;
  /** Refspec of a commit-based system (default `edge:rhel/9/x86_64/edge`). */
  origin?: string;
  /** Makes it a container-native deployment (no origin). */
  containerImage?: string;
  timestamp?: number;
  pinned?: boolean;
  /** Layered packages: the deployment's checksum becomes a local commit over base-checksum. */
  packages?: string[];
  /** Base packages removed (`rpm-ostree override remove`): like layering, a local commit. */
  removals?: string[];
}

export interface Deployment extends SimDeployment {
  booted: boolean;
  staged: boolean;
}

/** A stable fake commit id per version, so tests can predict it. */
export function checksumFor(version: string): string {
  return createHash('sha256').update(`edge-agent-harness:${version}`).digest('hex');
}

/** Install /usr/bin/rpm-ostree and its state. Deployments are in boot order; `booted` indexes them. */
export async function installRpmOstree(
  device: VirtualDevice,
  options: { deployments?: DeploymentSpec[]; booted?: number } = {},
): Promise<Deployment[]> {
  // A copy inside the device, not the checkout's file: a checkout under /tmp is hidden from
  // services with PrivateTmp=yes (the edge-agent daemon), which then could not run rpm-ostree.
  const bundle = '/usr/libexec/edge-harness/rpm-ostree.mjs';
  await device.writeFile(bundle, await readFile(await buildRpmOstree()));
  await device.writeFile(
    '/usr/bin/rpm-ostree',
    `#!/bin/sh\n# rpm-ostree stand-in of the edge-agent test harness\nexec ${process.execPath} ${bundle} "$@"\n`,
    0o755,
  );
  await device.writeFile(
    '/usr/bin/ostree',
    `#!/bin/sh\n# ostree stand-in of the edge-agent test harness (admin status only)\nexec ${process.execPath} ${bundle} --as-ostree "$@"\n`,
    0o755,
  );
  await device.writeFile('/etc/systemd/system/ostree-finalize-staged.service', finalizeUnit);
  await device.sh('systemctl daemon-reload');
  const now = Math.floor(Date.now() / 1000);
  const specs = options.deployments ?? [{ version: '9.4.20240101.0' }];
  const deployments = specs.map((spec, index) => toDeployment(spec, now - (index + 1) * 86_400));
  const booted = deployments[options.booted ?? 0];
  if (!booted) throw new Error('installRpmOstree: the booted index is outside the deployments');
  await writeState(device, { format: 1, deployments, booted: booted.id });
  return readDeployments(device);
}

/** Let the "remote" offer a new commit; `rpm-ostree upgrade` will stage it. */
export async function makeUpdateAvailable(
  device: VirtualDevice,
  update: { version: string; checksum?: string; timestamp?: number },
): Promise<AvailableUpdate> {
  const available = {
    version: update.version,
    checksum: update.checksum ?? checksumFor(update.version),
    timestamp: update.timestamp ?? Math.floor(Date.now() / 1000),
  };
  await writeState(device, { ...(await readState(device)), available });
  return available;
}

/** Exactly `rpm-ostree upgrade` run inside the device; returns the staged deployment. */
export async function stageUpdate(device: VirtualDevice): Promise<Deployment> {
  const result = await device.exec(['rpm-ostree', 'upgrade']);
  if (result.exitCode !== 0) throw new Error(`rpm-ostree upgrade exited ${result.exitCode}: ${result.stderr}`);
  const staged = (await readDeployments(device)).find((d) => d.staged);
  if (!staged) throw new Error(`rpm-ostree upgrade staged nothing: ${result.stdout.trim()}`);
  return staged;
}

/** Pretend another client runs a transaction (undefined: none), as `rpm-ostree status` then shows. */
export async function setTransaction(device: VirtualDevice, transaction: [string, string] | undefined): Promise<void> {
  await writeState(device, { ...(await readState(device)), transaction });
}

/** Deployments in boot order, with booted/staged flags (works on a running or halted device). */
export async function readDeployments(device: VirtualDevice): Promise<Deployment[]> {
  const state = await readState(device);
  return state.deployments.map((d) => ({ ...d, booted: d.id === state.booted, staged: d.id === state.staged }));
}

/** ostree-finalize-staged: returns the deployment that became the default, if one was staged. */
export async function finalizeStaged(device: VirtualDevice): Promise<SimDeployment | undefined> {
  const result = finalize(await readState(device));
  if (result.finalized) await writeState(device, result.state);
  return result.finalized;
}

/** Shutdown then bootloader: finalize a staged deployment, then mark GRUB's entry as booted. */
export async function finalizeAndBoot(
  device: VirtualDevice,
  entryIndex: number,
): Promise<{ finalized?: SimDeployment; booted: Deployment }> {
  const finalized = await finalizeStaged(device);
  await writeState(device, markBooted(await readState(device), entryIndex));
  const booted = (await readDeployments(device)).find((d) => d.booted);
  if (!booted) throw new Error('finalizeAndBoot: no booted deployment');
  return { finalized, booted };
}

// Real ostree: ExecStop runs `ostree admin finalize-staged` at shutdown; here the harness does
// that between boots, so the unit only marks that a deployment is staged.
const finalizeUnit = `# ostree-finalize-staged.service (simulated by the edge-agent test harness): started when a
# deployment is staged; the harness finalizes it between boots.
[Unit]
Description=OSTree Finalize Staged Deployment (simulated)
ConditionPathExists=/run/ostree/staged-deployment
DefaultDependencies=no

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/true
`;

function toDeployment(spec: DeploymentSpec, defaultTimestamp: number): SimDeployment {
  const osname = spec.osname ?? 'rhel';
  const base = spec.checksum ?? checksumFor(spec.version);
  const packages = spec.packages ?? [];
  const removals = spec.removals ?? [];
  // Layering (or removing base packages) makes a local commit on top of the base commit.
  const local = [...packages, ...removals.map((r) => `-${r}`)];
  const checksum = local.length > 0 ? layeredChecksum(base, local) : base;
  const source = spec.containerImage
    ? { 'container-image-reference': spec.containerImage }
    : { origin: spec.origin ?? 'edge:rhel/9/x86_64/edge' };
  return {
    id: deploymentId(osname, checksum, 0),
    osname,
    serial: 0,
    checksum,
    version: spec.version,
    timestamp: spec.timestamp ?? defaultTimestamp,
    ...source,
    pinned: spec.pinned ?? false,
    'requested-packages': packages,
    packages,
    'requested-base-removals': removals,
    ...(local.length > 0 ? { 'base-checksum': base } : {}),
  };
}

function stateFile(device: VirtualDevice): string {
  return join(deviceRoot(device), stateFileInside);
}

async function readState(device: VirtualDevice): Promise<SimState> {
  return JSON.parse(await readFile(stateFile(device), 'utf8')) as SimState;
}

async function writeState(device: VirtualDevice, state: SimState): Promise<void> {
  const file = stateFile(device);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
  writeBlsEntries(deviceRoot(device), state);
  writeDeploymentDirs(deviceRoot(device), state);
}
