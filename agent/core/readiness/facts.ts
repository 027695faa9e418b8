// The production-readiness facts of a device, as the host gathered them (host/readiness.ts), and
// the section `status` and the hub show, built from them without I/O.
import {
  summarizeCertificates,
  worstLevel,
  type CertificateFacts,
  type CertificateFileProblem,
} from './certificates.js';
import type { CertificateSummary, ReadinessLevel } from './certificates.js';
import type { ComponentVersions, LayeringFacts } from './components.js';
import { decideFips, type FipsFact, type FipsInput } from './fips.js';
import { microshiftPortFacts, type FirewallZone, type PortFact } from './firewall.js';
import type { PullSecretFact } from './pull-secret.js';
import { buildUpdateSection, type UpdateReadiness, type UpdateSection } from './update.js';

/** A source that may be missing: its value, or why there is none. */
export type Sourced<T> = { state: 'ok'; value: T } | { state: 'unavailable' | 'error'; note: string };

/** Compatibility and offline readiness; `skipped` when they did not fit the caller's time limit. */
export type UpdateFacts = Sourced<UpdateReadiness> | { state: 'skipped'; note: string };

export type ReadinessFacts = {
  certificates: { certs: CertificateFacts[]; problems: CertificateFileProblem[] };
  fips: FipsInput;
  pullSecret: { file: string } & ({ state: 'absent' } | { state: 'read'; fact: PullSecretFact });
  components: Sourced<ComponentVersions>;
  layering?: LayeringFacts;
  firewall: Sourced<FirewallZone[]>;
  /** Absent from callers that did not look (older daemons' cached facts). */
  update?: UpdateFacts;
};

export type ReadinessSection = {
  level: ReadinessLevel;
  certificates: CertificateSummary;
  fips: FipsFact;
  pullSecret: {
    file: string;
    present: boolean;
    valid?: boolean;
    registries?: number;
    level: ReadinessLevel;
    message: string;
  };
  components: {
    state: 'ok' | 'unavailable' | 'error';
    note?: string;
    versions?: ComponentVersions;
    layered?: string[];
    removed?: string[];
  };
  firewall: { state: 'ok' | 'unavailable' | 'error'; note?: string; ports?: PortFact[] };
  update?: { state: UpdateFacts['state']; note?: string } & Partial<UpdateSection>;
};

export function buildReadinessSection(f: ReadinessFacts, nowMs: number): ReadinessSection {
  const certificates = summarizeCertificates(f.certificates.certs, f.certificates.problems, nowMs);
  const ps = f.pullSecret;
  const pullSecret =
    ps.state === 'absent'
      ? { file: ps.file, present: false, level: 'ok' as const, message: `${ps.file} is absent` }
      : {
          file: ps.file,
          present: true,
          valid: ps.fact.valid,
          registries: ps.fact.registries,
          level: ps.fact.problem ? ('warn' as const) : ('ok' as const),
          message: ps.fact.problem ?? `valid, ${ps.fact.registries} registries in "auths"`,
        };
  const c = f.components;
  const components =
    c.state === 'ok'
      ? { state: 'ok' as const, versions: c.value, layered: f.layering?.layered, removed: f.layering?.removed }
      : { state: c.state, note: c.note, layered: f.layering?.layered, removed: f.layering?.removed };
  const fw = f.firewall;
  const firewall =
    fw.state === 'ok'
      ? { state: 'ok' as const, ports: microshiftPortFacts(fw.value) }
      : { state: fw.state, note: fw.note };
  const u = f.update;
  const update: ReadinessSection['update'] = !u
    ? undefined
    : u.state === 'ok'
      ? { state: 'ok' as const, ...buildUpdateSection(u.value) }
      : { state: u.state, note: u.note };
  const fips = decideFips(f.fips);
  const known = (l: ReadinessLevel | 'unknown' | undefined): ReadinessLevel => (l && l !== 'unknown' ? l : 'ok');
  return {
    level: worstLevel([
      certificates.level,
      pullSecret.level,
      fips.level ?? 'ok',
      known(update?.compatibility?.level),
      known(update?.offline?.level),
    ]),
    certificates,
    fips,
    pullSecret,
    components,
    firewall,
    ...(update && { update }),
  };
}

/** The compact form in the hub's retained status: levels, the soonest expiry, versions, open ports. */
export type HubReadiness = {
  level: ReadinessLevel;
  certificates: { level: ReadinessLevel; checked: number; soonestExpiry?: string; daysLeft?: number };
  fips: FipsFact['state'];
  pullSecret?: ReadinessLevel;
  components?: Record<string, string | null>;
  layered?: string[];
  removed?: string[];
  openPorts?: string[];
  compatibility?: { level: ReadinessLevel | 'unknown'; reasons: string[] };
  offline?: { level: ReadinessLevel | 'unknown'; tree: 'staged' | 'booted'; message: string; missingCount?: number };
  /** Why compatibility and offline readiness are not there. */
  updateNote?: string;
};

export function hubReadiness(s: ReadinessSection): HubReadiness {
  const soonest = s.certificates.items
    .filter((i) => i.daysLeft !== undefined)
    .sort((a, b) => a.daysLeft! - b.daysLeft!)[0];
  return {
    level: s.level,
    certificates: {
      level: s.certificates.level,
      checked: s.certificates.checked,
      soonestExpiry: soonest?.notAfter,
      daysLeft: soonest?.daysLeft,
    },
    fips: s.fips.state,
    pullSecret: s.pullSecret.present ? s.pullSecret.level : undefined,
    components: s.components.versions,
    layered: s.components.layered,
    removed: s.components.removed,
    openPorts: s.firewall.ports?.flatMap((p) => p.zones.map((z) => `${p.port}@${z}`)),
    ...(s.update?.compatibility && {
      compatibility: { level: s.update.compatibility.level, reasons: s.update.compatibility.reasons },
    }),
    ...(s.update?.offline && {
      offline: {
        level: s.update.offline.level,
        tree: s.update.offline.tree,
        message: s.update.offline.message,
        missingCount: s.update.offline.missingCount,
      },
    }),
    ...(s.update?.note && { updateNote: `${s.update.state}: ${s.update.note}` }),
  };
}
