// Gathers what `edge-agent preflight` decides on. Every source is read on its own: one that
// fails becomes that item's reason, never the end of the run.
import type { Config } from '../../config/schema.js';
import { parseGreenbootConf } from '../../config/greenboot-conf.js';
import { computeWaitBudget } from '../../core/budget.js';
import { shortChecksum, type Deployment, type DeploymentSet } from '../../core/deployment.js';
import { effectiveJournaldSettings, orderJournaldFiles, storageTarget } from '../../core/journald-conf.js';
import type { PreflightFacts, SpaceFact } from '../../core/preflight/plan.js';
import { createBootFacts } from '../../host/system-facts.js';
import { readDiskSpace } from '../../host/disk-space.js';
import type { Host } from '../../host/host.js';
import { PERSISTENT_DIR, readJournaldFiles } from '../../host/journald.js';
import { createRpmOstree } from '../../host/rpm-ostree.js';
import { probeUpdateReadiness } from '../../host/readiness-probe.js';
import { detectRegistryAccess } from './registry-access.js';

const GIB = 2 ** 30;
const GREENBOOT_CONF = '/etc/greenboot/greenboot.conf';
const BACKUPS_DIR = '/var/lib/microshift-backups';

export interface GatherOptions {
  host: Host;
  config: Config;
  signal: AbortSignal;
  /** --offline / --online: overrides the detection of registry access. */
  registry?: 'offline' | 'online';
}

const describe = (d: Deployment) => `${d.version ?? d.id ?? 'deployment'} (${shortChecksum(d.checksum)})`;
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function readDeployments(host: Host, signal: AbortSignal): Promise<DeploymentSet | string> {
  try {
    const set = await createRpmOstree({ exec: host.exec }).status({ signal, timeoutMs: 20_000 });
    return set ?? 'rpm-ostree is not installed: not an ostree host';
  } catch (error) {
    signal.throwIfAborted();
    return message(error);
  }
}

async function isEnabled(host: Host, unit: string, signal: AbortSignal): Promise<string | undefined> {
  // is-enabled exits non-zero for every state but enabled; the state it prints is the answer.
  const result = await host.exec
    .run('systemctl', ['is-enabled', unit], { signal, timeoutMs: 10_000 })
    .catch(() => undefined);
  return result?.stdout.trim().split('\n')[0] || (result?.exitCode === 0 ? 'enabled' : undefined);
}

async function readBudget(host: Host, config: Config, implementation: string, microshiftVersion?: string) {
  const conf = parseGreenbootConf((await host.fs.readText(GREENBOOT_CONF).catch(() => undefined)) ?? '');
  const inputs = {
    implementation: implementation === 'rs' ? 'rs' : implementation === 'bash' ? 'bash' : 'unknown',
    waitTimeoutSec: conf.microshiftWaitTimeoutSec,
    maxBootAttempts: conf.maxBootAttempts,
    legacyMaxBoots: conf.legacyMaxBoots,
    baseOverrideSec: config.microshift.waitTimeoutSec,
    microshiftVersion,
  } as const;
  const first = computeWaitBudget(inputs);
  // The worst case: every attempt of a failing update waits its whole budget (counter max-1 .. 0).
  let worstCaseSec = 0;
  for (let counter = first.max - 1; counter >= 0; counter -= 1)
    worstCaseSec += computeWaitBudget({ ...inputs, bootCounter: counter }).budgetSec;
  return { maxAttempts: first.max, worstCaseSec, warnings: first.warnings };
}

async function readJournal(host: Host): Promise<PreflightFacts['journal']> {
  try {
    const settings = effectiveJournaldSettings(orderJournaldFiles(await readJournaldFiles(host)));
    const target = storageTarget(settings.storage, await host.fs.exists(PERSISTENT_DIR));
    return { ok: true, value: { target, storage: settings.storage } };
  } catch (error) {
    return { ok: false, reason: `cannot read journald's configuration: ${message(error)}` };
  }
}

async function readSpace(host: Host, staged: boolean): Promise<SpaceFact[]> {
  // Assumptions, stated in every reason: a RHEL for Edge commit with MicroShift is 1.5-2 GB, and a
  // minor release rewrites most of it, so ostree needs about 2 GiB of new objects in /sysroot;
  // once staged, those objects are written and only the finalize step (a few MB) remains.
  // In /var the first boot of the new deployment backs up /var/lib/microshift and may pull the
  // new release's images: 1 GiB, the same floor as the wanted check's varMinFreeMiB default.
  const sysroot = staged
    ? { neededBytes: 0.25 * GIB, why: 'the update is staged; finalizing it needs little' }
    : { neededBytes: 2 * GIB, why: 'the objects of a new RHEL for Edge commit with MicroShift' };
  const varNeed = { neededBytes: 1 * GIB, why: "MicroShift's backup and new images at the first boot" };
  const [v, s] = await Promise.all([readDiskSpace(host.fs, '/var'), readDiskSpace(host.fs, '/sysroot')]);
  // On one file system (the usual RHEL for Edge layout) both needs come out of the same space.
  const shared = v.device !== undefined && v.device === s.device;
  const both = sysroot.neededBytes + varNeed.neededBytes;
  return [
    {
      path: '/var',
      freeBytes: v.freeBytes,
      ...(shared ? { neededBytes: both, why: `${varNeed.why}, plus ${sysroot.why} on the same file system` } : varNeed),
    },
    {
      path: '/sysroot',
      freeBytes: s.freeBytes,
      ...(shared ? { neededBytes: both, why: `${sysroot.why}, plus ${varNeed.why} on the same file system` } : sysroot),
    },
  ];
}

async function countBackups(host: Host): Promise<number> {
  const names = await host.fs.list(BACKUPS_DIR).catch(() => []);
  // Backups are directories; the restore marker and prerun_failed.log are files.
  const dirs = await Promise.all(names.map(async (n) => (await host.fs.info(`${BACKUPS_DIR}/${n}`))?.isDirectory));
  return dirs.filter(Boolean).length;
}

export async function gatherPreflightFacts({ host, config, signal, registry }: GatherOptions): Promise<PreflightFacts> {
  const [set, implementation] = await Promise.all([
    readDeployments(host, signal),
    createBootFacts({ fs: host.fs, clock: host.clock }).greenbootImplementation(),
  ]);
  const stagedDeployment = typeof set === 'string' ? undefined : set.staged;
  const readiness = await probeUpdateReadiness(host, stagedDeployment, signal);
  const access = registry
    ? { noRegistry: registry === 'offline', why: `--${registry} given` }
    : await detectRegistryAccess(host.fs);
  return {
    rpmOstree:
      typeof set === 'string'
        ? { ok: false, reason: set }
        : {
            ok: true,
            value: {
              transaction: set.transaction,
              booted: set.booted && describe(set.booted),
              staged: set.staged && describe(set.staged),
              rollback: set.rollback && describe(set.rollback),
            },
          },
    greenboot: implementation,
    healthcheckEnabled:
      implementation === 'none' ? undefined : await isEnabled(host, 'greenboot-healthcheck.service', signal),
    budget: await readBudget(host, config, implementation, readiness.microshiftVersion),
    journal: await readJournal(host),
    space: await readSpace(host, stagedDeployment !== undefined),
    microshift: {
      installed: readiness.microshiftInstalled,
      backups: readiness.microshiftInstalled ? await countBackups(host) : 0,
    },
    compat: readiness.compatibility,
    offline: { ...access, ...readiness.offline },
  };
}
