// What `edge-agent status` found on the host, already parsed, before any decision: the input of
// the pure status builder (status.ts). The host probes (commands/status/probes.ts) fill it; tests
// build it by hand. Every source can fail on its own, so each is a Probe: its value, or why
// there is none.
import type { RuntimeInfo } from '../runtime-kind.js';
import type { DaemonState } from '../daemon-state.js';
import type { Deployment } from '../deployment.js';
import type { SectionState } from './schema.js';
import type { StatusRecord } from './record.js';

export type { StatusRecord } from './record.js';
import type { ReadinessFacts } from '../readiness/facts.js';
import type { RunningScript } from '../greenboot-running.js';

export type Probe<T> = { state: 'ok'; value: T } | { state: Exclude<SectionState, 'ok'>; note: string };

export const ok = <T>(value: T): Probe<T> => ({ state: 'ok', value });
export const failed = (state: Exclude<SectionState, 'ok'>, note: string): Probe<never> => ({ state, note });

/** The few properties of a unit status decides from (systemd's names and values). */
export interface UnitFacts {
  loadState: string;
  activeState: string;
  subState: string;
  unitFileState: string;
  nRestarts?: number;
  /** Microseconds since the epoch. */
  activeEnterTimestampUs?: number;
  stateChangeTimestampUs?: number;
}

export const WATCHED_UNITS = {
  healthcheck: 'greenboot-healthcheck.service',
  bootComplete: 'boot-complete.target',
  redboot: 'redboot.target',
  microshift: 'microshift.service',
  daemon: 'edge-agent.service',
} as const;
export type WatchedUnit = keyof typeof WATCHED_UNITS;

export interface DeviceFacts {
  machineId?: string;
  hostname?: string;
  os?: { name?: string; version?: string; prettyName?: string };
  uptimeSec?: number;
  bootId?: string;
  bootTimeMs?: number;
  ostree: boolean;
}

export interface DeploymentFacts {
  deployments: Deployment[];
  source: 'rpm-ostree' | 'cache';
  fetchedAt: string;
  transaction?: string;
}

export interface GrubenvFacts {
  /** false: no grubenv file (a host that does not boot with GRUB). */
  present: boolean;
  bootCounter?: number;
  bootSuccess?: 0 | 1;
}

export interface GreenbootFacts {
  implementation: 'bash' | 'rs' | 'none' | 'unknown';
  /** GREENBOOT_MAX_BOOT_ATTEMPTS as written in greenboot.conf (validated by core/budget.ts). */
  maxBootAttempts?: string;
  legacyMaxBoots?: string;
}

export interface MicroShiftFacts {
  source: 'live' | 'daemon';
  checkedAt: string;
  api: Probe<{ ready: boolean; failing: string[] }>;
  workloads: Probe<{ ready: number; total: number; notReady: string[] }>;
}

export interface JournalFacts {
  storage: string;
  location: 'disk' | 'memory' | 'none';
  diskUsageBytes: number;
  boots?: number;
  earlierBoots?: boolean;
}

export interface OutboxFacts {
  queued: number;
  dropped: number;
}

export interface StatusConfigFacts {
  hubConfigured: boolean;
  hubUrl?: string;
  /** Settings status could not use (it then works on defaults and says so). */
  problems: string[];
}

export interface StatusFacts {
  /** ms since the epoch, when the facts were gathered. */
  now: number;
  agentVersion: string;
  /** The Node.js gathering the facts (the daemon's when it answers: the same choice). */
  runtime?: RuntimeInfo;
  isRoot: boolean;
  device: Probe<DeviceFacts>;
  /** 'unavailable' on a host without rpm-ostree. */
  deployments: Probe<DeploymentFacts>;
  grubenv: Probe<GrubenvFacts>;
  greenboot: GreenbootFacts;
  units: Probe<Partial<Record<WatchedUnit, UnitFacts>>>;
  /** This boot's record; undefined when there is none yet. */
  record: Probe<StatusRecord | undefined>;
  /** Every readable record, newest first (this boot's included). */
  history: Probe<StatusRecord[]>;
  /** The daemon's live state; undefined when it has not written one. */
  daemon: Probe<DaemonState | undefined>;
  /** Whether the pid in the daemon's state is a running process. */
  daemonPidAlive?: boolean;
  /** 'unavailable' when MicroShift is not installed or not running (the unit says which). */
  microshift: Probe<MicroShiftFacts>;
  journal: Probe<JournalFacts>;
  /** Read from the outbox directory when the daemon is not there to say. */
  outbox?: Probe<OutboxFacts>;
  config: StatusConfigFacts;
  /** Production-readiness facts (certificates, FIPS, pull secret, components, firewall). */
  readiness?: Probe<ReadinessFacts>;
  /**
   * The greenboot script running now, looked up only while greenboot-healthcheck.service is
   * starting (undefined: not looked; ok(undefined): looked, none found).
   */
  greenbootRunning?: Probe<RunningScript | undefined>;
  /** A boot record write of this boot that failed (noted in /run, since /var may be what failed). */
  recordWriteFailure?: { what: string; file?: string; errno: string; at: string };
}
