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

/** A source that may be missing: its value, or why there is none. */
export type Sourced<T> = { state: 'ok'; value: T } | { state: 'unavailable' | 'error'; note: string };

export type ReadinessFacts = {
  certificates: { certs: CertificateFacts[]; problems: CertificateFileProblem[] };
  fips: FipsInput;
  pullSecret: { file: string } & ({ state: 'absent' } | { state: 'read'; fact: PullSecretFact });
  components: Sourced<ComponentVersions>;
  layering?: LayeringFacts;
  firewall: Sourced<FirewallZone[]>;
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
  return {
    level: worstLevel([certificates.level, pullSecret.level]),
    certificates,
    fips: decideFips(f.fips),
    pullSecret,
    components,
    firewall,
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
  };
}
