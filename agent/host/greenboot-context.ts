// Everything a boot-time command needs to know about this boot, gathered once: boot id, grubenv,
// greenboot.conf, which greenboot, the wait budget, MicroShift's unit, the deployments. Every
// source is optional: a missing or broken one becomes a warning, never a crash, because a health
// check that cannot run is worse than one that runs on defaults.
import { parseGreenbootConf, type GreenbootConf } from '../config/greenboot-conf.js';
import { computeWaitBudget, type WaitBudget } from '../core/budget.js';
import type { DeploymentSet } from '../core/deployment.js';
import type { Config } from '../config/schema.js';
import { createBootFacts } from './system-facts.js';
import { createGrubEnvReader, type GrubEnv } from './grubenv.js';
import { createRpmOstree } from './rpm-ostree.js';
import type { Clock } from './clock.js';
import type { Exec } from './exec.js';
import type { HostFs } from './fs.js';
import type { Systemd } from './systemd.js';

export const GREENBOOT_CONF = '/etc/greenboot/greenboot.conf';

export interface BootContext {
  bootId: string;
  bootTimeMs: number;
  grubenv?: GrubEnv;
  /** Why the grubenv could not be read (absent: read, or there is none). */
  grubenvError?: string;
  greenbootConf: GreenbootConf;
  implementation: 'bash' | 'rs' | 'none' | 'unknown';
  budget: WaitBudget;
  microshiftUnit: 'enabled' | 'disabled' | 'absent';
  lvmsExpected: boolean;
  deployments?: DeploymentSet;
  warnings: string[];
}

export interface BootContextDeps {
  fs: HostFs;
  exec: Exec;
  clock: Clock;
  systemd: () => Promise<Systemd>;
}

export async function gatherBootContext(
  config: Config,
  deps: BootContextDeps,
  signal?: AbortSignal,
): Promise<BootContext> {
  const warnings: string[] = [];
  const facts = createBootFacts({ fs: deps.fs, clock: deps.clock });
  const errors: Record<string, string> = {};
  const soft = async <T>(what: string, read: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await read();
    } catch (error) {
      errors[what] = (error as Error).message;
      warnings.push(`${what}: ${(error as Error).message}`);
      return undefined;
    }
  };
  const [bootId, bootTimeMs, grubenv, confText, implementation, deployments] = await Promise.all([
    facts.bootId(),
    facts.bootTimeMs(),
    soft('grubenv', () => createGrubEnvReader({ fs: deps.fs }).read()),
    soft('greenboot.conf', () => deps.fs.readText(GREENBOOT_CONF)),
    facts.greenbootImplementation(),
    soft('rpm-ostree status', () => createRpmOstree({ exec: deps.exec }).status({ signal, timeoutMs: 10_000 })),
  ]);
  const greenbootConf = parseGreenbootConf(confText ?? '');
  for (const w of greenbootConf.warnings) warnings.push(`${GREENBOOT_CONF}:${w.line}: ${w.message}`);
  for (const w of grubenv?.warnings ?? []) warnings.push(`grubenv: ${w}`);
  const budget = computeWaitBudget({
    implementation: implementation === 'rs' ? 'rs' : implementation === 'bash' ? 'bash' : 'unknown',
    bootCounter: grubenv?.vars.boot_counter,
    waitTimeoutSec: greenbootConf.microshiftWaitTimeoutSec,
    maxBootAttempts: greenbootConf.maxBootAttempts,
    legacyMaxBoots: greenbootConf.legacyMaxBoots,
    baseOverrideSec: config.microshift.waitTimeoutSec,
  });
  warnings.push(...budget.warnings);
  const microshiftUnit = await soft('microshift.service', async () => {
    const systemd = await deps.systemd();
    const unit = await systemd.unit('microshift.service');
    if (unit.loadState === 'not-found') return 'absent' as const;
    return unit.unitFileState === 'enabled' ? ('enabled' as const) : ('disabled' as const);
  });
  return {
    bootId,
    bootTimeMs,
    grubenv,
    ...(errors.grubenv !== undefined && { grubenvError: errors.grubenv }),
    greenbootConf,
    implementation,
    budget,
    // When systemd cannot be asked, assume MicroShift is there: waiting for it is safer than a
    // green boot that never looked.
    microshiftUnit: microshiftUnit ?? 'enabled',
    lvmsExpected: await lvmsExpected(config, deps),
    deployments,
    warnings,
  };
}

/** MicroShift's LVMS rule: lvmd.yaml with vgs present, or exactly one VG, or a VG named microshift. */
async function lvmsExpected(config: Config, deps: BootContextDeps): Promise<boolean> {
  if (config.microshift.lvms !== 'auto') return config.microshift.lvms === 'on';
  const result = await deps.exec
    .run('vgs', ['--noheadings', '-o', 'vg_name'], { timeoutMs: 10_000 })
    .catch(() => undefined);
  // No vgs (exit 127 or not found): no LVM, so no LVMS.
  if (!result || result.exitCode !== 0) return false;
  const groups = result.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  if (await deps.fs.exists('/etc/microshift/lvmd.yaml')) return true;
  return groups.length === 1 || groups.includes('microshift');
}
