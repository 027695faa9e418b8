// The pre-rollback plan: only when the next boot is the rollback, MicroShift's steps in the
// order of microshift-cleanup-data --ovn, then the user's hooks.
import { describe, expect, it } from 'vitest';
import { backupsFor, planPreRollback, podRemovalOrder } from '../../../agent/core/pre-rollback.js';

const base = {
  imminent: true,
  microshiftInstalled: true,
  cleanupEnabled: true,
  rollbackDeploymentId: 'rhel-abc.0',
  hooks: [{ name: 'flush', command: ['/bin/true'], timeoutSec: 5 }],
};

describe('planPreRollback', () => {
  it('plans MicroShift cleanup then hooks when the rollback is imminent', () => {
    expect(planPreRollback(base).steps.map((s) => s.id)).toEqual([
      'snapshot-pod-processes',
      'restore-marker',
      'stop-microshift',
      'remove-pods',
      'stop-ovsdb',
      'end-pod-processes',
      'remove-ovn-state',
      'hook:flush',
    ]);
  });

  it.each([
    ['not imminent', { imminent: false }, []],
    ['MicroShift absent', { microshiftInstalled: false }, ['hook:flush']],
    ['cleanup turned off', { cleanupEnabled: false }, ['hook:flush']],
  ])('%s', (_name, change, steps) => {
    const plan = planPreRollback({ ...base, ...change });
    expect(plan.steps.map((s) => s.id)).toEqual(steps);
    expect(plan.note).toBeTruthy();
    expect(plan.warning).toBeUndefined();
  });

  it.each([true, false])(
    'an unreadable grubenv (imminent guessed %s): nothing runs, and it is a warning that says why',
    (imminent) => {
      const plan = planPreRollback({
        ...base,
        imminent,
        grubenvError: '/boot/grub2/grubenv is a directory, expected a regular file',
      });
      expect(plan).toEqual({
        steps: [],
        warning: true,
        note: 'cannot tell whether the next boot is the rollback: the grubenv is unreadable (/boot/grub2/grubenv is a directory, expected a regular file); MicroShift is not prepared for a rollback and no pre-rollback hook runs',
      });
    },
  );
});

describe('helpers', () => {
  it('finds the backups of the rollback deployment only', () => {
    expect(backupsFor('rhel-abc.0', ['rhel-abc.0_1111', 'rhel-def.0_2222', 'restore'])).toEqual(['rhel-abc.0_1111']);
    expect(backupsFor(undefined, ['rhel-abc.0_1111'])).toEqual([]);
  });

  it('removes the OVN namespace last', () => {
    const pods = [
      { namespace: 'openshift-ovn-kubernetes', id: 1 },
      { namespace: 'openshift-dns', id: 2 },
      { namespace: 'kube-system', id: 3 },
    ];
    expect(podRemovalOrder(pods, 'openshift-ovn-kubernetes').map((p) => p.id)).toEqual([2, 3, 1]);
  });
});
