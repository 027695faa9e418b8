// `edge-agent preflight`: can this device take an update safely? Each item is decided here from
// facts the command gathered; nothing here reads the host.
import type { CompatFact } from '../readiness/compat.js';
import type { OfflineFact } from '../readiness/offline.js';

export type ItemStatus = 'pass' | 'warn' | 'fail';

export interface PreflightItem {
  id: string;
  title: string;
  status: ItemStatus;
  reason: string;
}

/** A fact that could not be read: the reason replaces it. */
export type Readable<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface SpaceFact {
  path: string;
  /** undefined: the path does not exist here. */
  freeBytes?: number;
  /** Free space the update is assumed to need there, and why. */
  neededBytes: number;
  why: string;
}

export interface PreflightFacts {
  rpmOstree: Readable<{
    transaction?: { title: string; initiator?: string };
    booted?: string;
    staged?: string;
    rollback?: string;
  }>;
  greenboot: 'bash' | 'rs' | 'unknown' | 'none';
  /** `systemctl is-enabled greenboot-healthcheck.service` as printed (undefined: could not ask). */
  healthcheckEnabled?: string;
  budget: { maxAttempts: number; worstCaseSec: number; warnings: string[] };
  journal: Readable<{ target: 'disk' | 'memory' | 'none'; storage: string }>;
  space: SpaceFact[];
  microshift: { installed: boolean; backups: number };
  compat: CompatFact;
  offline: {
    /** Whether the device is treated as having no registry access, and why. */
    noRegistry: boolean;
    why: string;
    /** Which tree's manifests were compared: the staged deployment's or the booted one. */
    tree: 'staged' | 'booted';
    result: Readable<OfflineFact> | undefined;
  };
}

export interface PreflightResult {
  status: ItemStatus;
  items: PreflightItem[];
}

/** A rollback an operator must wait out longer than this keeps a device away from service too long. */
export const WORST_CASE_LIMIT_SEC = 2 * 3600;

const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;
const duration = (sec: number) => (sec >= 3600 ? `${(sec / 3600).toFixed(1)} h` : `${Math.round(sec / 60)} min`);
const item = (id: string, title: string, status: ItemStatus, reason: string): PreflightItem => ({
  id,
  title,
  status,
  reason,
});

function transactionItem(f: PreflightFacts): PreflightItem {
  const title = 'no rpm-ostree transaction running';
  if (!f.rpmOstree.ok) return item('transaction', title, 'fail', f.rpmOstree.reason);
  const t = f.rpmOstree.value.transaction;
  return t
    ? item('transaction', title, 'fail', `"${t.title}" is running${t.initiator ? ` (started by ${t.initiator})` : ''}`)
    : item('transaction', title, 'pass', 'rpm-ostree is idle');
}

function rollbackItem(f: PreflightFacts): PreflightItem {
  const title = 'a rollback deployment exists';
  if (!f.rpmOstree.ok) return item('rollback', title, 'fail', f.rpmOstree.reason);
  const { booted, staged, rollback } = f.rpmOstree.value;
  if (!booted) return item('rollback', title, 'fail', 'rpm-ostree lists no booted deployment');
  // Once a deployment is staged, ostree keeps the booted one as the entry GRUB falls back to.
  if (staged) return item('rollback', title, 'pass', `after the update, ${booted} stays as the rollback`);
  if (rollback) return item('rollback', title, 'pass', `${rollback} is the rollback deployment`);
  return item(
    'rollback',
    title,
    'pass',
    `none yet: ${booted} becomes the rollback when an update is staged (ostree keeps the booted deployment)`,
  );
}

function greenbootItem(f: PreflightFacts): PreflightItem {
  const title = 'greenboot installed and greenboot-healthcheck.service enabled';
  if (f.greenboot === 'none')
    return item('greenboot', title, 'fail', 'greenboot is not installed: a bad update would never be rolled back');
  if (f.healthcheckEnabled === undefined)
    return item('greenboot', title, 'warn', 'could not ask systemd whether greenboot-healthcheck.service is enabled');
  if (f.healthcheckEnabled !== 'enabled')
    return item(
      'greenboot',
      title,
      'fail',
      `greenboot-healthcheck.service is ${f.healthcheckEnabled}: no health check runs at boot, so no rollback`,
    );
  return item('greenboot', title, 'pass', `greenboot (${f.greenboot}) with greenboot-healthcheck.service enabled`);
}

function budgetItem(f: PreflightFacts): PreflightItem {
  const title = 'max boot attempts and wait budget sane';
  const { maxAttempts, worstCaseSec, warnings } = f.budget;
  const summary = `${maxAttempts} boot attempts, up to ${duration(worstCaseSec)} before a rollback`;
  if (warnings.length) return item('boot-attempts', title, 'warn', `${warnings.join('; ')} (${summary})`);
  if (maxAttempts < 2)
    return item('boot-attempts', title, 'warn', `${summary}: a slow first boot is rolled back without a second try`);
  if (worstCaseSec > WORST_CASE_LIMIT_SEC)
    return item(
      'boot-attempts',
      title,
      'warn',
      `${summary}: more than ${duration(WORST_CASE_LIMIT_SEC)} out of service`,
    );
  return item('boot-attempts', title, 'pass', summary);
}

function journalItem(f: PreflightFacts): PreflightItem {
  const title = 'journald persistent';
  if (!f.journal.ok) return item('journal', title, 'warn', f.journal.reason);
  const { target, storage } = f.journal.value;
  if (target === 'disk') return item('journal', title, 'pass', `Storage=${storage}: kept on disk`);
  return item(
    'journal',
    title,
    'warn',
    `Storage=${storage} keeps the journal ${target === 'memory' ? 'in memory' : 'nowhere'}: a red boot's evidence is lost at the rollback (run edge-agent journal persist)`,
  );
}

function spaceItem(s: SpaceFact): PreflightItem {
  const id = `space-${s.path.replace(/^\//, '')}`;
  const title = `free space on ${s.path}`;
  const need = `${gib(s.neededBytes)} assumed (${s.why})`;
  if (s.freeBytes === undefined) return item(id, title, 'warn', `${s.path} does not exist here; ${need}`);
  const free = `${gib(s.freeBytes)} free, ${need}`;
  if (s.freeBytes < s.neededBytes) return item(id, title, 'fail', free);
  if (s.freeBytes < 2 * s.neededBytes) return item(id, title, 'warn', `${free}: less than twice that`);
  return item(id, title, 'pass', free);
}

function backupItem(f: PreflightFacts): PreflightItem {
  const title = 'MicroShift backup present';
  if (!f.microshift.installed) return item('microshift-backup', title, 'pass', 'MicroShift is not installed');
  return f.microshift.backups > 0
    ? item('microshift-backup', title, 'pass', `${f.microshift.backups} backups in /var/lib/microshift-backups`)
    : item(
        'microshift-backup',
        title,
        'warn',
        'no backup in /var/lib/microshift-backups: after a rollback MicroShift has no data of the old deployment to restore',
      );
}

function compatItem(f: PreflightFacts): PreflightItem {
  const title = "staged deployment's MicroShift is a supported path";
  const c = f.compat;
  if (c.level === 'warning') return item('compatibility', title, 'warn', c.reasons.join('; '));
  if (c.level === 'unknown') return item('compatibility', title, 'pass', c.reasons.join('; '));
  const pair = `RHEL ${c.booted.rhel ?? '?'} with MicroShift ${c.booted.microshift ?? '?'}`;
  return item(
    'compatibility',
    title,
    'pass',
    c.staged?.microshift
      ? `${pair} -> MicroShift ${c.staged.microshift}: supported`
      : `${pair}: supported; nothing staged`,
  );
}

function offlineItem(f: PreflightFacts): PreflightItem {
  const title = `images of the ${f.offline.tree} deployment present offline`;
  const { result, noRegistry, why } = f.offline;
  if (!result) return item('offline-images', title, 'pass', 'MicroShift is not part of that deployment');
  if (!result.ok) return item('offline-images', title, 'warn', result.reason);
  const fact = result.value;
  if (fact.level === 'ok') return item('offline-images', title, 'pass', fact.summary);
  return noRegistry
    ? item('offline-images', title, 'fail', `${fact.summary} (no registry access: ${why})`)
    : item('offline-images', title, 'pass', `${fact.summary}; the registry is assumed reachable (${why})`);
}

export function planPreflight(f: PreflightFacts): PreflightResult {
  const items = [
    transactionItem(f),
    rollbackItem(f),
    greenbootItem(f),
    budgetItem(f),
    journalItem(f),
    ...f.space.map(spaceItem),
    backupItem(f),
    compatItem(f),
    offlineItem(f),
  ];
  const status: ItemStatus = items.some((i) => i.status === 'fail')
    ? 'fail'
    : items.some((i) => i.status === 'warn')
      ? 'warn'
      : 'pass';
  return { status, items };
}
