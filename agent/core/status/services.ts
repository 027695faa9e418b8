// The service sections of `status`: MicroShift, the journal, and edge-agent's own daemon and hub.
import { DAEMON_STATE_REFRESH_SEC } from '../daemon-state.js';
import { redactSecrets } from '../redact.js';
import type { StatusFacts, UnitFacts } from './facts.js';
import type { StatusResult, StatusUnit } from './schema.js';

const unitView = (u: UnitFacts): StatusUnit => ({
  activeState: u.activeState,
  subState: u.subState,
  unitFileState: u.unitFileState,
  nRestarts: u.nRestarts,
});
const notRead = (state: StatusResult['microshift']['api']['state'], note: string) => ({ state, note });

export function buildMicroShiftSection(f: StatusFacts): StatusResult['microshift'] {
  const unit = f.units.state === 'ok' ? f.units.value.microshift : undefined;
  const installed = f.units.state === 'ok' ? unit !== undefined && unit.loadState !== 'not-found' : undefined;
  if (installed === false) {
    return {
      state: 'unavailable',
      note: 'MicroShift is not installed',
      installed,
      api: notRead('unavailable', 'not installed'),
      workloads: notRead('unavailable', 'not installed'),
    };
  }
  const base = {
    installed,
    unit: unit && unitView(unit),
  };
  if (f.microshift.state !== 'ok') {
    const why = notRead(f.microshift.state, f.microshift.note);
    // The unit state alone is worth showing when the API could not be asked.
    return {
      state: f.units.state === 'ok' ? 'ok' : f.units.state,
      note: f.units.state === 'ok' ? undefined : f.units.note,
      ...base,
      api: why,
      workloads: why,
    };
  }
  const m = f.microshift.value;
  const api =
    m.api.state === 'ok'
      ? {
          state: 'ok' as const,
          ready: m.api.value.ready,
          failing: m.api.value.failing.length ? m.api.value.failing : undefined,
        }
      : notRead(m.api.state, m.api.note);
  const workloads =
    m.workloads.state === 'ok'
      ? {
          state: 'ok' as const,
          ready: m.workloads.value.ready,
          total: m.workloads.value.total,
          notReady: m.workloads.value.notReady.length ? m.workloads.value.notReady : undefined,
        }
      : notRead(m.workloads.state, m.workloads.note);
  return { state: 'ok', ...base, source: m.source, checkedAt: m.checkedAt, api, workloads };
}

export function buildJournalSection(f: StatusFacts): StatusResult['journal'] {
  if (f.journal.state !== 'ok') return { state: f.journal.state, note: f.journal.note };
  const j = f.journal.value;
  return {
    state: 'ok',
    storage: j.storage,
    persistent: j.location === 'disk',
    location: j.location,
    diskUsageBytes: j.diskUsageBytes,
    boots: j.boots,
    earlierBoots: j.earlierBoots,
  };
}

export function buildAgentSection(f: StatusFacts): StatusResult['agent'] {
  const unit = f.units.state === 'ok' ? f.units.value.daemon : undefined;
  const state = f.daemon.state === 'ok' ? f.daemon.value : undefined;
  const ageSec = (at: string | undefined) =>
    at && Number.isFinite(Date.parse(at)) ? Math.max(0, Math.round((f.now - Date.parse(at)) / 1000)) : undefined;
  const unitRunning = unit ? unit.activeState === 'active' || unit.activeState === 'reloading' : undefined;
  const fresh = state?.updatedAt !== undefined && (ageSec(state.updatedAt) ?? Infinity) <= 3 * DAEMON_STATE_REFRESH_SEC;
  // systemd is the authority on whether the daemon runs; the state file only when systemd cannot be asked.
  const running = unitRunning ?? (state !== undefined && f.daemonPidAlive === true && fresh);
  const daemon = {
    state: f.daemon.state,
    note:
      f.daemon.state === 'ok'
        ? state
          ? fresh || !running
            ? undefined
            : `its state was last updated ${ageSec(state.updatedAt)} s ago`
          : 'the daemon has written no state'
        : f.daemon.note,
    running,
    unit: unit && unit.loadState !== 'not-found' ? unitView(unit) : undefined,
    pid: state?.pid,
    version: state?.version,
    startedAt: state?.startedAt,
    updatedAt: state?.updatedAt,
  };
  const hubState = state?.hub;
  const configured = f.config.hubConfigured || hubState?.configured === true;
  const counts =
    hubState && running
      ? { queued: hubState.queued, dropped: hubState.dropped }
      : f.outbox?.state === 'ok'
        ? f.outbox.value
        : undefined;
  // daemon.json of an older version may hold the password; the config always does.
  const broker = hubState?.broker ?? f.config.hubUrl;
  const hub = {
    state: configured && !running && f.outbox && f.outbox.state !== 'ok' ? f.outbox.state : ('ok' as const),
    note: !configured
      ? 'no hub configured'
      : !running
        ? f.outbox && f.outbox.state !== 'ok'
          ? f.outbox.note
          : 'the daemon is not running: nothing is reported'
        : undefined,
    configured,
    connected: running && configured ? (hubState?.connected ?? false) : undefined,
    broker: broker && redactSecrets(broker),
    lastReportAt: hubState?.lastReportAt,
    lastReportAgeSec: ageSec(hubState?.lastReportAt),
    queued: counts?.queued,
    dropped: counts?.dropped,
    // Only a running daemon's word: a stopped one's last state may be long out of date.
    waitingFor: running && configured ? hubState?.waitingFor : undefined,
    error: running && configured ? hubState?.error : undefined,
  };
  return { state: 'ok', version: f.agentVersion, runtime: f.runtime && { ...f.runtime }, daemon, hub };
}
