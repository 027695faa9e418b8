// What the daemon tells the hub about this boot: the events not reported yet (from the boot
// record), and the compact status (its verdict is the one verdict, decided by the caller). Pure; the record keeps what was reported (hubReported),
// so a restarted daemon never reports the same verdict twice and never misses one.
import type { BootRecord, DeploymentRef as RecordDeployment } from '../boot-record.js';
import type { DeploymentRef, DeviceStatusInput, HubEventBody, HubEventType } from './payloads.js';
import type { BootVerdictDecision } from '../verdict/boot-verdict.js';
import type { HubReadiness } from '../readiness/facts.js';

export interface PendingEvent<T extends HubEventType = HubEventType> {
  type: T;
  body: HubEventBody<T>;
  /** Mark in record.hubReported once the event is queued. */
  mark: string;
}

export function shortRef(d: RecordDeployment | undefined): DeploymentRef | undefined {
  return d?.checksum ? { version: d.version, checksum: d.checksum.slice(0, 12) } : undefined;
}

export function pendingEvents(record: BootRecord): PendingEvent[] {
  const reported = new Set((record.hubReported as string[] | undefined) ?? []);
  const events: PendingEvent[] = [];
  const add = <T extends HubEventType>(mark: string, type: T, body: HubEventBody<T>) => {
    if (!reported.has(mark)) events.push({ type, body, mark } as PendingEvent);
  };
  if (record.rollback) {
    const r = record.rollback;
    add('rollback', 'rollback-detected', {
      at: r.detectedAt,
      from: shortRef(r.from) ?? { checksum: 'unknown' },
      to: shortRef(r.to) ?? { checksum: 'unknown' },
      reason: r.message,
      ...(r.preRollback?.length && {
        preRollback: r.preRollback.map((a) => ({ id: a.id, outcome: a.outcome, message: a.message.slice(0, 200) })),
      }),
    });
  }
  const failed = [...(record.checks.required?.results ?? []), ...(record.checks.wanted?.results ?? [])].filter(
    (c) => c.outcome === 'fail' || c.outcome === 'timeout',
  );
  for (const c of failed)
    add(`check:${c.class}:${c.id}:${c.endedAt}`, 'check-failed', {
      check: c.id,
      class: c.class,
      reason: c.reason,
      message: c.message,
    });
  if (record.verdict) {
    const attempt = record.greenboot?.attempt
      ? { n: record.greenboot.attempt, max: record.greenboot.attempts ?? record.greenboot.attempt }
      : undefined;
    const required = failed.filter((c) => c.class === 'required').map((c) => ({ check: c.id, reason: c.reason }));
    const gs = record.greenbootScripts;
    const scripts = (gs?.scripts ?? [])
      .filter((x) => x.outcome === 'failure')
      .map((x) => ({ name: x.name, kind: x.kind, exitCode: x.exitCode, lastLines: x.lastLines?.slice(-3) }));
    add(`verdict:${record.verdict}`, 'boot-verdict', {
      verdict: record.verdict,
      bootId: record.bootId,
      deployment: shortRef(record.deployment),
      attempt,
      failed: required.length ? required : undefined,
      ...(scripts.length > 0 && { scripts }),
      ...(gs?.firstRequiredFailure !== undefined && { stoppedBy: gs.firstRequiredFailure }),
    });
  }
  // From the record, not from the daemon's memory: an update staged while the daemon was down or
  // restarting is still reported, and a restarted daemon does not report it twice.
  const staged = shortRef(record.staged);
  if (staged) add(`staged:${record.staged?.checksum}`, 'update-staged', { deployment: staged });
  return events;
}

export interface StatusFacts {
  record?: BootRecord;
  /** The one verdict of this boot (core/verdict/boot-verdict.ts); unknown until it has been decided. */
  verdict?: BootVerdictDecision;
  staged?: RecordDeployment;
  microshift?: { unit: string; apiReady: boolean; ready: number; total: number };
  journalPersistent?: boolean;
  /** Production-readiness summary, refreshed by the daemon's readiness task. */
  readiness?: HubReadiness;
  /** The greenboot script running now, while the verdict is still being decided. */
  greenbootRunning?: DeviceStatusInput['greenbootRunning'];
  /** The last rollback from history (may be an earlier boot's). */
  lastRollback?: BootRecord['rollback'];
}

export function deviceStatus(facts: StatusFacts): DeviceStatusInput {
  const r = facts.record;
  const rb = facts.lastRollback;
  return {
    booted: shortRef(r?.deployment),
    staged: shortRef(facts.staged),
    verdict: facts.verdict?.verdict ?? 'unknown',
    attempt: r?.greenboot?.attempt
      ? { n: r.greenboot.attempt, max: r.greenboot.attempts ?? r.greenboot.attempt }
      : undefined,
    rollback: rb
      ? {
          at: rb.detectedAt,
          from: shortRef(rb.from) ?? { checksum: 'unknown' },
          to: shortRef(rb.to) ?? { checksum: 'unknown' },
          reason: rb.message,
        }
      : undefined,
    microshift: facts.microshift
      ? {
          unit: facts.microshift.unit,
          apiReady: facts.microshift.apiReady,
          workloads: { ready: facts.microshift.ready, total: facts.microshift.total },
        }
      : undefined,
    journalPersistent: facts.journalPersistent,
    readiness: facts.readiness,
    greenbootRunning: facts.verdict?.verdict === 'checking' ? facts.greenbootRunning : undefined,
  };
}
