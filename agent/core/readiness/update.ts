// Compatibility and offline readiness as `status` shows them: the RHEL/MicroShift pair (and a
// staged deployment's jump) judged against the table, and whether the images the next boot needs
// are already in CRI-O's store. Pure: the host's reads (host/readiness-probe.ts) in, a section out.
import type { ReadinessLevel } from './certificates.js';
import type { CompatFact } from './compat.js';
import type { OfflineFact } from './offline.js';

export type OfflineRead = { ok: true; value: OfflineFact } | { ok: false; reason: string };

export interface UpdateReadiness {
  microshiftInstalled: boolean;
  /** MicroShift version of the booted tree (its release manifest's base). */
  microshiftVersion?: string;
  compatibility: CompatFact;
  /** Images of the staged deployment when one is staged, else of the booted one. */
  offline: { tree: 'staged' | 'booted'; result: OfflineRead | undefined };
  /** Why the staged deployment was not looked at, when rpm-ostree's answer was missing. */
  stagedUnknown?: string;
  /** A registry mirror is configured: the device is meant to pull nothing from the internet. */
  airGapped?: boolean;
}

export type UpdateSection = {
  compatibility: {
    level: ReadinessLevel | 'unknown';
    message: string;
    reasons: string[];
    /** Every reason is about a version that could not be read, none about a known-bad pair. */
    unreadableOnly?: boolean;
    booted: { rhel?: string; microshift?: string };
    staged?: { rhel?: string; microshift?: string };
  };
  offline: {
    level: ReadinessLevel | 'unknown';
    tree: 'staged' | 'booted';
    message: string;
    airGapped: boolean;
    total?: number;
    missingCount?: number;
    missing?: string[];
  };
};

const PERMISSION = /permission denied|EACCES/i;

const pair = (p: { rhel?: string; microshift?: string }) =>
  `RHEL ${p.rhel ?? '(unknown)'} with MicroShift ${p.microshift ?? '(none)'}`;

export function buildUpdateSection(u: UpdateReadiness): UpdateSection {
  const c = u.compatibility;
  const reasons = u.stagedUnknown ? [...c.reasons, u.stagedUnknown] : c.reasons;
  const compatibility = {
    level: c.level === 'warning' ? ('warn' as const) : c.level,
    message:
      c.level === 'ok'
        ? [
            `${pair(c.booted)}: a supported pair${c.staged ? `; staged ${pair(c.staged)}: a supported update` : ''}`,
            ...(u.stagedUnknown ? [u.stagedUnknown] : []),
          ].join('; ')
        : reasons.join('; '),
    reasons,
    ...(c.unreadable?.length && c.reasons.every((r) => c.unreadable?.includes(r)) ? { unreadableOnly: true } : {}),
    booted: c.booted,
    ...(c.staged && { staged: c.staged }),
  };
  const r = u.offline.result;
  const airGapped = u.airGapped === true;
  const tree = u.offline.tree;
  // Missing images matter where nothing can be pulled; elsewhere the next boot pulls them.
  const offline = !r
    ? { level: 'unknown' as const, tree, airGapped, message: 'MicroShift is not installed: no images to check' }
    : !r.ok
      ? {
          // An ordinary user may not talk to CRI-O: that is no finding about the device.
          level: PERMISSION.test(r.reason) ? ('unknown' as const) : ('warn' as const),
          tree,
          airGapped,
          message: PERMISSION.test(r.reason) ? `${r.reason} (run as root to compare images)` : r.reason,
        }
      : {
          level: r.value.level === 'ok' || !airGapped ? ('ok' as const) : ('warn' as const),
          tree,
          airGapped,
          message: `${tree} deployment: ${r.value.summary}`,
          total: r.value.total,
          missingCount: r.value.missingCount,
          missing: r.value.missing,
        };
  return { compatibility, offline };
}
