// `edge-agent status`: from the facts the probes gathered to the result object that both the
// human view and --json are made of. Pure: the same facts always give the same result.
import { computeWaitBudget } from '../budget.js';
import { describeRequiredFailure, summarizeRequiredFailure } from '../greenboot-journal.js';
import { describeRunningScript } from '../greenboot-running.js';
import { findDeploymentRoles, roleOf, type Deployment } from '../deployment.js';
import type { StatusFacts } from './facts.js';
import { buildAgentSection, buildJournalSection, buildMicroShiftSection } from './services.js';
import { findProblems } from './problems.js';
import type { DeploymentRef } from '../boot-record.js';
import type { StatusRecord } from './facts.js';
import { STATUS_SCHEMA_VERSION } from './enums.js';
import type { StatusDeployment, StatusResult } from './schema.js';
import { summaryLine } from './summary.js';
import { buildReadinessStatus } from '../readiness/status-section.js';
import { decideBootVerdict, degradedReason, overallState, statusExitCode } from './verdict.js';

type Section<K extends keyof StatusResult> = StatusResult[K];
const iso = (ms: number) => new Date(ms).toISOString();

export function buildStatus(f: StatusFacts): StatusResult {
  const record = f.record.state === 'ok' ? f.record.value : undefined;
  const deployments = buildDeployments(f, record);
  const decision = decideBootVerdict(f);
  const degraded = degradedReason(f, decision.verdict);
  const state = overallState(decision.verdict, degraded);
  const boot = buildBoot(f, record, decision);
  const checks = buildChecks(f, record);
  const lastRollback = buildLastRollback(
    f,
    deployments.list.find((d) => d.booted)?.checksum ?? record?.deployment?.checksum,
  );
  const partial = {
    device: buildDevice(f),
    deployments,
    boot,
    checks,
    ...(record?.greenbootScripts && { scripts: buildScripts(record.greenbootScripts) }),
    lastRollback,
    microshift: buildMicroShiftSection(f),
    journal: buildJournalSection(f),
    agent: buildAgentSection(f),
    ...(f.readiness && { readiness: buildReadinessStatus(f.readiness, f.now) }),
  };
  const booted = deployments.list.find((d) => d.booted) ?? record?.deployment;
  const gs = partial.scripts;
  const otherScript = gs?.firstRequiredFailure
    ? { id: gs.firstRequiredFailure, message: summarizeRequiredFailure(asRun(gs)), reason: 'greenboot-script-failed' }
    : undefined;
  const firstFailure =
    record?.firstFailure ??
    checks.results.find((c) => c.class === 'required' && c.outcome !== 'pass' && c.outcome !== 'skipped') ??
    otherScript;
  const summary = summaryLine({
    state,
    deployment: booted,
    attempt: boot.attempt,
    attempts: boot.attempts,
    failure: firstFailure?.id
      ? { id: firstFailure.id, message: firstFailure.message ?? firstFailure.reason }
      : undefined,
    rolledBackFrom: lastRollback.current ? lastRollback.from : undefined,
    reason: state === 'degraded' ? degraded : decision.reason,
  });
  return {
    schema: STATUS_SCHEMA_VERSION,
    generatedAt: iso(f.now),
    state,
    exitCode: statusExitCode(state),
    summary,
    problems: findProblems(f, { ...partial, state, degraded }),
    ...partial,
  };
}

function buildScripts(copy: NonNullable<StatusRecord['greenbootScripts']>): NonNullable<StatusResult['scripts']> {
  const list = copy.scripts.map(({ name, kind, outcome, exitCode, durationMs, lastLines }) => ({
    name,
    kind,
    outcome,
    exitCode,
    durationMs,
    lastLines,
  }));
  const failed = copy.firstRequiredFailure;
  const explanation =
    failed === undefined ? undefined : describeRequiredFailure(asRun({ list, firstRequiredFailure: failed }));
  return { readAt: copy.readAt, list, firstRequiredFailure: failed, explanation, error: copy.error };
}

/** The status section back in the reader's shape (kinds and outcomes stay strings from the record). */
/** The scripts section without what the scripts printed (their last lines, also quoted in the explanation). */
export function withoutScriptOutput(
  section: NonNullable<StatusResult['scripts']>,
): NonNullable<StatusResult['scripts']> {
  const list = section.list.map(({ lastLines: _printed, ...rest }) => rest);
  const failed = section.firstRequiredFailure;
  const explanation =
    failed === undefined ? undefined : describeRequiredFailure(asRun({ list, firstRequiredFailure: failed }));
  return { ...section, list, explanation };
}

function asRun(
  section: Pick<NonNullable<StatusResult['scripts']>, 'list' | 'firstRequiredFailure'>,
): Parameters<typeof describeRequiredFailure>[0] {
  return {
    firstRequiredFailure: section.firstRequiredFailure,
    scripts: section.list.map((s) => ({ ...s, kind: s.kind as 'required', outcome: s.outcome as 'failure' })),
  };
}

function buildDevice(f: StatusFacts): Section<'device'> {
  if (f.device.state !== 'ok') return { state: f.device.state, note: f.device.note, ostree: false };
  const d = f.device.value;
  return {
    state: 'ok',
    id: d.machineId,
    hostname: d.hostname,
    os: d.os,
    uptimeSec: d.uptimeSec,
    bootId: d.bootId,
    bootedAt: d.bootTimeMs === undefined ? undefined : iso(d.bootTimeMs),
    ostree: d.ostree,
  };
}

function toStatusDeployment(d: Deployment, roles: ReturnType<typeof findDeploymentRoles>): StatusDeployment {
  return {
    role: roleOf(d, roles),
    booted: d.booted,
    staged: d.staged,
    pinned: d.pinned,
    osname: d.osname,
    version: d.version,
    checksum: d.checksum,
    origin: d.containerImageReference ? undefined : d.origin,
    containerImage: d.containerImageReference,
    layeredPackages: d.packages.length > 0 ? d.packages : d.requestedPackages,
    timestamp: d.timestamp === undefined ? undefined : iso(d.timestamp * 1000),
  };
}

function fromRecord(ref: DeploymentRef, role: StatusDeployment['role']): StatusDeployment {
  return {
    role,
    booted: role === 'booted',
    staged: role === 'staged',
    pinned: false,
    version: ref.version,
    checksum: ref.checksum ?? '',
    origin: ref.containerImageReference ? undefined : ref.origin,
    containerImage: ref.containerImageReference,
    layeredPackages: [],
  };
}

function buildDeployments(f: StatusFacts, record: StatusRecord | undefined): Section<'deployments'> {
  if (f.deployments.state === 'ok') {
    const { deployments, source, fetchedAt, transaction } = f.deployments.value;
    const roles = findDeploymentRoles(deployments);
    return { state: 'ok', source, fetchedAt, transaction, list: deployments.map((d) => toStatusDeployment(d, roles)) };
  }
  // rpm-ostree did not answer: what this boot's record says is better than nothing, and says so.
  const list: StatusDeployment[] = [];
  if (record?.staged?.checksum) list.push(fromRecord(record.staged, 'staged'));
  if (record?.deployment?.checksum) list.push(fromRecord(record.deployment, 'booted'));
  if (record?.rollbackDeployment?.checksum) list.push(fromRecord(record.rollbackDeployment, 'rollback'));
  return {
    state: f.deployments.state,
    note: f.deployments.note,
    source: list.length > 0 ? 'boot-record' : undefined,
    list,
  };
}

function buildBoot(
  f: StatusFacts,
  record: StatusRecord | undefined,
  decision: ReturnType<typeof decideBootVerdict>,
): Section<'boot'> {
  const grub = f.grubenv.state === 'ok' ? f.grubenv.value : undefined;
  const units = f.units.state === 'ok' ? f.units.value : {};
  const implementation = f.greenboot.implementation;
  const budget = computeWaitBudget({
    implementation: implementation === 'bash' || implementation === 'rs' ? implementation : 'unknown',
    bootCounter: grub?.bootCounter,
    maxBootAttempts: f.greenboot.maxBootAttempts,
    legacyMaxBoots: f.greenboot.legacyMaxBoots,
  });
  // greenboot unsets the counter once the boot is good: the attempt the checks saw is in the record.
  // Without the grubenv (not root) the counter, hence the attempt, is not known.
  const seen = record?.greenboot;
  const known = f.grubenv.state === 'ok';
  const attempt = seen?.attempt ?? (known ? budget.attempt : undefined);
  const attempts = seen?.attempt !== undefined ? seen.attempts : known ? budget.attempts : undefined;
  const required = record?.checks.required;
  const hc = units.healthcheck;
  return {
    state: 'ok',
    verdict: decision.verdict,
    reason: decision.reason,
    greenboot: implementation,
    attempt: implementation === 'none' ? undefined : attempt,
    attempts: implementation === 'none' ? undefined : attempts,
    fallback: decision.fallback,
    updateOnTrial: grub?.bootCounter !== undefined && grub.bootCounter >= 0,
    grubenv:
      f.grubenv.state === 'ok'
        ? {
            state: f.grubenv.value.present ? 'ok' : 'unavailable',
            note: f.grubenv.value.present ? undefined : 'no grubenv file',
            bootCounter: grub?.bootCounter,
            bootSuccess: grub?.bootSuccess,
          }
        : { state: f.grubenv.state, note: f.grubenv.note },
    healthcheck:
      hc && hc.loadState !== 'not-found'
        ? { activeState: hc.activeState, subState: hc.subState, unitFileState: hc.unitFileState }
        : undefined,
    running: buildRunning(f),
    checksStartedAt: required?.dryRun ? undefined : required?.startedAt,
    checksEndedAt: required?.dryRun ? undefined : required?.endedAt,
    verdictAt: record?.verdictAt,
  };
}

function buildRunning(f: StatusFacts): Section<'boot'>['running'] {
  const r = f.greenbootRunning?.state === 'ok' ? f.greenbootRunning.value : undefined;
  // Only while greenboot's check runs: a process seen in a look that raced its end is not shown.
  if (!r || f.units.state !== 'ok' || f.units.value.healthcheck?.activeState !== 'activating') return undefined;
  return {
    script: r.name,
    kind: r.kind,
    dir: r.dir,
    pid: r.pid,
    runningSec: r.runningSec,
    since: r.runningMs === undefined ? undefined : iso(Math.round((f.now - r.runningMs) / 1000) * 1000),
    message: describeRunningScript(r),
  };
}

function buildChecks(f: StatusFacts, record: StatusRecord | undefined): Section<'checks'> {
  if (f.record.state !== 'ok') return { state: f.record.state, note: f.record.note, results: [] };
  const runs = [record?.checks.required, record?.checks.wanted].filter((r) => r && !r.dryRun);
  const results = runs.flatMap((run) =>
    (run?.results ?? []).flatMap((r) =>
      r.id
        ? [
            {
              id: r.id,
              class: r.class ?? ('required' as const),
              outcome: r.outcome ?? 'unknown',
              durationMs: r.durationMs,
              reason: r.reason,
              message: r.message,
            },
          ]
        : [],
    ),
  );
  if (results.length === 0)
    return {
      state: 'unavailable',
      note: record ? 'no checks have run this boot yet' : 'edge-agent has no record of this boot yet',
      results,
    };
  return { state: 'ok', results };
}

function buildLastRollback(f: StatusFacts, bootedChecksum: string | undefined): Section<'lastRollback'> {
  if (f.history.state !== 'ok') return { state: f.history.state, note: f.history.note, found: false };
  const rollback = f.history.value.find((r) => r.rollback)?.rollback;
  if (!rollback) return { state: 'ok', found: false };
  const first = rollback.firstFailure;
  return {
    state: 'ok',
    found: true,
    detectedAt: rollback.detectedAt,
    from: rollback.from && { version: rollback.from.version, checksum: rollback.from.checksum },
    to: rollback.to && { version: rollback.to.version, checksum: rollback.to.checksum },
    failedBoots: rollback.failedBoots,
    reason: first?.id ? `${first.id}: ${first.message ?? first.reason ?? 'failed'}` : 'no check result was recorded',
    current: bootedChecksum !== undefined && rollback.to?.checksum === bootedChecksum,
  };
}
