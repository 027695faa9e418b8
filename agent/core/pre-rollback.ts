// What to do on a red boot before the rollback, decided without touching anything. Only when the
// rollback is imminent (this red boot was the last attempt) is MicroShift prepared for it, in
// the order of MicroShift's own `microshift-cleanup-data --ovn` but scoped to MicroShift's pods.
// Every step is safe to repeat: a second run finds nothing to do.

export const RESTORE_MARKER = '/var/lib/microshift-backups/restore';
export const BACKUP_DIR = '/var/lib/microshift-backups';
export const OVN_PATHS = [
  '/var/run/ovn',
  '/var/run/ovn-kubernetes',
  '/etc/cni/net.d/10-ovn-kubernetes.conf',
  '/opt/cni/bin/ovn-k8s-cni-overlay',
  '/run/cni/bin/ovn-k8s-cni-overlay',
];
export const POD_PROCESS_NAMES = ['conmon', 'pause', 'ovn-controller', 'ovn-northd'];

export type PreRollbackStep =
  | { id: 'snapshot-pod-processes'; kind: 'snapshot' }
  | { id: 'restore-marker'; kind: 'restore-marker'; rollbackDeploymentId?: string }
  | { id: 'stop-microshift'; kind: 'stop-units'; units: string[] }
  | { id: 'remove-pods'; kind: 'remove-pods'; lastNamespace: string; attempts: number }
  | { id: 'stop-ovsdb'; kind: 'stop-units'; units: string[] }
  | { id: 'end-pod-processes'; kind: 'end-processes'; names: string[] }
  | { id: 'remove-ovn-state'; kind: 'remove-paths'; paths: string[] }
  | { id: string; kind: 'hook'; command: string[]; timeoutMs: number };

export interface PreRollbackInput {
  imminent: boolean;
  /** The grubenv could not be read, so `imminent` is a guess: why. */
  grubenvError?: string;
  microshiftInstalled: boolean;
  cleanupEnabled: boolean;
  rollbackDeploymentId?: string;
  hooks: readonly { name: string; command: string[]; timeoutSec: number }[];
}

export interface PreRollbackPlan {
  steps: PreRollbackStep[];
  /** Why nothing (or only hooks) will run. */
  note?: string;
  /** The note is a decision taken without the facts: say it loudly and record it. */
  warning?: boolean;
}

export function planPreRollback(input: PreRollbackInput): PreRollbackPlan {
  // boot_counter in the grubenv is what GRUB counts down to boot the rollback. If we cannot read
  // the grubenv, GRUB most likely cannot either, so no automatic rollback is coming; stopping
  // MicroShift and removing its pods on a device that stays on this deployment would do harm.
  if (input.grubenvError !== undefined) {
    return {
      steps: [],
      warning: true,
      note: `cannot tell whether the next boot is the rollback: the grubenv is unreadable (${input.grubenvError}); MicroShift is not prepared for a rollback and no pre-rollback hook runs`,
    };
  }
  if (!input.imminent) return { steps: [], note: 'the next boot is not the rollback: nothing to prepare' };
  const hooks: PreRollbackStep[] = input.hooks.map((h) => ({
    id: `hook:${h.name}`,
    kind: 'hook',
    command: h.command,
    timeoutMs: h.timeoutSec * 1000,
  }));
  if (!input.microshiftInstalled) return { steps: hooks, note: 'MicroShift is not installed: no MicroShift cleanup' };
  if (!input.cleanupEnabled)
    return { steps: hooks, note: 'MicroShift cleanup turned off (preRollback.microshiftCleanup: false)' };
  return {
    steps: [
      // Which processes are MicroShift's must be learned from CRI-O before its pods are removed.
      { id: 'snapshot-pod-processes', kind: 'snapshot' },
      { id: 'restore-marker', kind: 'restore-marker', rollbackDeploymentId: input.rollbackDeploymentId },
      { id: 'stop-microshift', kind: 'stop-units', units: ['microshift.service', 'microshift-etcd.service'] },
      { id: 'remove-pods', kind: 'remove-pods', lastNamespace: 'openshift-ovn-kubernetes', attempts: 5 },
      { id: 'stop-ovsdb', kind: 'stop-units', units: ['ovsdb-server.service'] },
      { id: 'end-pod-processes', kind: 'end-processes', names: POD_PROCESS_NAMES },
      { id: 'remove-ovn-state', kind: 'remove-paths', paths: OVN_PATHS },
      ...hooks,
    ],
  };
}

/** Backups MicroShift made of the deployment we roll back to: `<deployment id>_<boot id>`. */
export function backupsFor(deploymentId: string | undefined, entries: readonly string[]): string[] {
  if (!deploymentId) return [];
  return entries.filter((e) => e.startsWith(`${deploymentId}_`));
}

/** Pods in removal order: the OVN namespace last, as microshift-cleanup-data does. */
export function podRemovalOrder<T extends { namespace: string }>(pods: readonly T[], lastNamespace: string): T[] {
  return [...pods.filter((p) => p.namespace !== lastNamespace), ...pods.filter((p) => p.namespace === lastNamespace)];
}
