// Drives a virtual device from one boot to the next the way an edge host goes: greenboot runs
// inside the device under systemd as part of its boot; between boots the harness does what the
// device cannot: ostree-finalize-staged's shutdown work (finalizing the staged deployment; bash
// greenboot's counter was set when it was staged), then GRUB's counting and entry choice, then
// booting the chosen deployment.
//
// Leaves out: time between boots, firmware, and anything after the boot's greenboot run (a long
// health check keeps vdev's boot waiting, like a real boot that has not finished).
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseJournalJson, type HaltReason, type JournalEntry, type VirtualDevice } from '../vdev.js';
import { deviceGrubenv, deviceRoot } from '../grub/device-grub.js';
import { readGrubenv, setGrubenv, type Grubenv } from '../grub/grubenv.js';
import { applyBootMenu } from '../grub/boot-menu.js';
import {
  finalizeAndBoot,
  makeUpdateAvailable,
  readDeployments,
  stageUpdate,
  type Deployment,
} from '../rpm-ostree/device-rpm-ostree.js';
import { detectImplementation } from './install-greenboot.js';
import { isGreenbootEntry, summarizeGreenbootJournal, type GreenbootRun } from './journal-summary.js';

export { installGreenboot, writeGreenbootScript, detectImplementation } from './install-greenboot.js';

type DeploymentRef = Pick<Deployment, 'id' | 'version' | 'checksum'>;

export interface BootSummary extends GreenbootRun {
  bootId: string;
  booted: DeploymentRef | undefined;
  grubenv: {
    /** As GRUB left it when this boot started (unknown for a boot the harness did not start). */
    atBoot?: Grubenv;
    /** When this boot ended, after greenboot's changes. */
    atEnd: Grubenv;
    /** What the next boot starts with: after set-counter and GRUB's logic. */
    next: Grubenv;
  };
  /** The device rebooted itself (redboot-auto-reboot); otherwise the harness rebooted it. */
  rebootRequested: boolean;
  halt: HaltReason;
  /** This boot ran `rpm-ostree rollback` after a GRUB fallback. */
  rolledBack: boolean;
  next: { entry: number; fallback: boolean; finalized?: DeploymentRef; booted: DeploymentRef };
  /** This boot's journal entries from greenboot's units. */
  journal: JournalEntry[];
}

// The grubenv each device's current boot started with: known only for boots started here.
const grubenvAtBoot = new WeakMap<VirtualDevice, { bootId: string; grubenv: Grubenv }>();

/** Wait for this boot's greenboot run to end: idle (nothing queued) or halted by itself. */
export async function settleBoot(device: VirtualDevice, timeoutMs = 60_000): Promise<'idle' | 'halted'> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (device.halted) return 'halted';
    const state = (await device.exec(['systemctl', 'is-system-running'])).stdout.trim();
    if (state === 'stopping') {
      await device.waitForHalt(Math.max(1, deadline - Date.now()));
      return 'halted';
    }
    if (state === 'running' || state === 'degraded') {
      // redboot-auto-reboot's reboot is a job too: no jobs left means no reboot is coming.
      const jobs = await device.exec(['systemctl', 'list-jobs', '--no-legend']);
      if (jobs.exitCode === 0 && jobs.stdout.trim() === '' && !device.halted) return 'idle';
    }
    await sleep(50);
  }
  throw new Error(`device ${device.name}: greenboot did not finish within ${timeoutMs} ms`);
}

/** End this boot (after greenboot is done), run the between-boots steps, boot again. */
export async function nextBoot(device: VirtualDevice, options: { timeoutMs?: number } = {}): Promise<BootSummary> {
  const bootId = device.bootId;
  const started = grubenvAtBoot.get(device);
  const atBoot = started?.bootId === bootId ? started.grubenv : undefined;
  const booted = (await readDeployments(device)).find((d) => d.booted);
  const settled = await settleBoot(device, options.timeoutMs);
  if (settled === 'idle') await device.exec(['systemctl', 'reboot']);
  const halt = await device.waitForHalt(options.timeoutMs);
  // From here the device is down: deviceRoot() is its disk.
  const journal = await readKeptJournal(device, bootId);
  const run = summarizeGreenbootJournal(journal);
  const atEnd = await readGrubenv(deviceGrubenv(device));
  await applyShutdownSteps(device);
  const menu = await applyBootMenu(deviceGrubenv(device));
  const { finalized, booted: nextBooted } = await finalizeAndBoot(device, menu.entry);
  await device.reboot();
  grubenvAtBoot.set(device, { bootId: device.bootId, grubenv: menu.after });
  return {
    ...run,
    bootId,
    booted: booted && ref(booted),
    grubenv: { atBoot, atEnd, next: menu.after },
    rebootRequested: settled === 'halted',
    halt,
    rolledBack: run.fallbackDetected,
    next: {
      entry: menu.entry,
      fallback: menu.fallback,
      finalized: finalized && ref(finalized),
      booted: ref(nextBooted),
    },
    journal: journal.filter(isGreenbootEntry),
  };
}

/**
 * Offer an update, stage it (`rpm-ostree upgrade`) and boot until the outcome is known: a green
 * boot, or a red boot that does not reboot itself (after a fallback or when nothing is on trial).
 * Returns the summaries of the boots that ended, in order.
 */
export async function runUpdateCycle(
  device: VirtualDevice,
  update: { version: string; checksum?: string },
  options: { maxBoots?: number } = {},
): Promise<BootSummary[]> {
  await makeUpdateAvailable(device, update);
  await stageUpdate(device);
  const summaries = [await nextBoot(device)];
  for (let boot = 1; boot < (options.maxBoots ?? 10); boot++) {
    const summary = await nextBoot(device);
    summaries.push(summary);
    if (summary.verdict === 'green' || (summary.verdict === 'red' && !summary.rebootRequested)) break;
  }
  return summaries;
}

/**
 * ostree-finalize-staged's shutdown-time company, greenboot-rs's deployment id. (Bash greenboot's
 * counter was set already, when the staging started ostree-finalize-staged.service.)
 */
async function applyShutdownSteps(device: VirtualDevice): Promise<void> {
  const staged = (await readDeployments(device)).find((d) => d.staged);
  if (!staged || detectImplementation(deviceRoot(device)) !== 'rs') return;
  await setGrubenv(deviceGrubenv(device), {
    greenboot_next_deployment_id: staged.id,
    fallback: '0',
    boot_success: '0',
  });
}

/** The journal copy greenboot-sim-keep-journal.service made at shutdown (empty if none). */
async function readKeptJournal(device: VirtualDevice, bootId: string): Promise<JournalEntry[]> {
  const file = join(deviceRoot(device), 'var/lib/greenboot-sim/journal', `${bootId}.json`);
  const text = await readFile(file, 'utf8').catch(() => '');
  await rm(file, { force: true });
  return parseJournalJson(text);
}

function ref(d: DeploymentRef): DeploymentRef {
  return { id: d.id, version: d.version, checksum: d.checksum };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
