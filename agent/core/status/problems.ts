// Problems first: everything in the status that needs attention, most severe first, each with
// what to do about it. Built from the finished sections, so the list and the sections below it
// can never disagree.
import type { StatusFacts } from './facts.js';
import type { StatusProblem, StatusResult, StatusSection } from './schema.js';
import { deploymentLabel } from './summary.js';
import { readinessProblems } from '../readiness/problems.js';

type Sections = Pick<
  StatusResult,
  | 'state'
  | 'device'
  | 'deployments'
  | 'boot'
  | 'checks'
  | 'lastRollback'
  | 'microshift'
  | 'journal'
  | 'agent'
  | 'readiness'
> & { degraded?: string };

const order = { error: 0, warning: 1, info: 2 } as const;
const SECTION_NAMES: Record<StatusSection, string> = {
  device: 'device facts',
  deployments: 'deployments',
  boot: 'boot verdict',
  checks: 'checks',
  lastRollback: 'rollback history',
  microshift: 'MicroShift',
  journal: 'journal',
  agent: 'agent',
  readiness: 'readiness facts',
};

export function findProblems(f: StatusFacts, s: Sections): StatusProblem[] {
  const problems: StatusProblem[] = [];
  const add = (
    severity: StatusProblem['severity'],
    section: StatusSection,
    code: string,
    message: string,
    action?: string,
  ) => problems.push({ severity, section, code, message, action });

  bootProblems(s, add);
  const w = f.recordWriteFailure;
  if (w)
    add(
      'error',
      'checks',
      'record-write-failed',
      `Could not ${w.what}${w.file ? `: ${w.file}` : ''}: ${w.errno} (at ${w.at}); the checks still decided the verdict`,
      w.errno === 'ENOSPC'
        ? 'free space in /var, then edge-agent check --class required'
        : 'see the journal of edge-agent',
    );
  // After a rollback this agent may be older than the one that wrote the record: say so, since
  // what it could not read is missing from the sections below (the record itself is kept).
  for (const r of f.history.state === 'ok' ? f.history.value.filter((h) => h.newerNote) : []) {
    add(
      'warning',
      'lastRollback',
      'record-newer',
      `The record of boot ${r.bootId.slice(0, 8)} was ${r.newerNote}`,
      'kept as written; edge-agent history lists it',
    );
  }
  const rb = s.lastRollback;
  if (rb.found && rb.current) {
    add(
      'warning',
      'lastRollback',
      'rolled-back',
      `Rolled back from ${deploymentLabel(rb.from)} to ${deploymentLabel(rb.to)} after ${rb.failedBoots ?? '?'} failed boot${rb.failedBoots === 1 ? '' : 's'}: ${rb.reason}`,
      'this device runs the older deployment: fix the update before staging it again (edge-agent history)',
    );
  }
  for (const c of s.checks.results) {
    if (c.class === 'wanted' && (c.outcome === 'fail' || c.outcome === 'timeout'))
      add(
        'warning',
        'checks',
        'check-wanted-failed',
        `Check '${c.id}' (wanted) failed: ${c.message ?? c.reason ?? c.outcome}`,
      );
  }
  const staged = s.deployments.list.find((d) => d.role === 'staged' || d.role === 'pending');
  if (staged && s.deployments.state === 'ok')
    add(
      'info',
      'deployments',
      'update-staged',
      `${deploymentLabel(staged)} is ${staged.role}: the next boot tries it`,
      'reboot when convenient: systemctl reboot',
    );
  if (f.device.state === 'ok' && !f.device.value.ostree)
    add(
      'warning',
      'device',
      'not-ostree',
      'This is not an ostree system: there are no deployments to roll back to',
      'edge-agent is meant for RHEL for Edge (rpm-ostree) hosts',
    );
  microshiftProblems(s.microshift, add);
  const j = s.journal;
  if (j.state === 'ok' && j.persistent === false) {
    const where = j.location === 'memory' ? 'The journal is kept in memory' : 'journald keeps no journal files';
    add(
      'warning',
      'journal',
      'journal-volatile',
      `${where} (Storage=${j.storage}): logs of failed boots are lost at reboot`,
      'edge-agent journal persist',
    );
  }
  agentProblems(s.agent, add);
  for (const p of f.config.problems) add('warning', 'agent', 'config', p, 'edge-agent config validate');
  for (const p of readinessProblems(s.readiness)) add(p.severity, 'readiness', p.code, p.message, p.action);

  // Readiness is optional and slow by nature: a timed-out look there is shown in its section only.
  const sections = (Object.keys(SECTION_NAMES) as StatusSection[]).filter((k) => k !== 'boot' && k !== 'readiness');
  const sectionOf = (k: StatusSection) => s[k] as { state: string; note?: string };
  const needRoot = [
    ...(s.boot.grubenv.state === 'needs-root' ? ['grubenv'] : []),
    ...sections.filter((k) => sectionOf(k).state === 'needs-root').map((k) => SECTION_NAMES[k]),
    ...(s.microshift.state === 'ok' && s.microshift.api.state === 'needs-root' ? ['MicroShift API'] : []),
  ];
  if (needRoot.length)
    add('info', 'device', 'needs-root', `Not shown without root: ${needRoot.join(', ')}`, 'sudo edge-agent status');
  for (const k of sections.filter((k) => sectionOf(k).state === 'timed-out')) {
    add('warning', k, 'timed-out', `${capitalize(SECTION_NAMES[k])}: ${sectionOf(k).note ?? 'no answer in time'}`);
  }
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => order[a.p.severity] - order[b.p.severity] || a.i - b.i)
    .map(({ p }) => (p.action === undefined ? omitAction(p) : p));
}

type Add = (
  severity: StatusProblem['severity'],
  section: StatusSection,
  code: string,
  message: string,
  action?: string,
) => void;

function bootProblems(s: Sections, add: Add): void {
  const b = s.boot;
  const journalHint = 'journalctl -b -u greenboot-healthcheck';
  if (s.state === 'red') {
    const failed = s.checks.results.find(
      (c) => c.class === 'required' && c.outcome !== 'pass' && c.outcome !== 'skipped',
    );
    const what = failed
      ? `check '${failed.id}' failed: ${failed.message ?? failed.reason ?? failed.outcome}`
      : b.reason;
    const rollbackTo = s.deployments.list.find((d) => d.role === 'rollback');
    let next: string;
    if (b.updateOnTrial && b.attempt !== undefined && b.attempts !== undefined && b.attempt < b.attempts)
      next = `greenboot reboots and tries again (attempt ${b.attempt} of ${b.attempts})`;
    else if (b.updateOnTrial)
      next = `the next boot rolls back${rollbackTo ? ` to ${deploymentLabel(rollbackTo)}` : ''}`;
    else next = 'no update is on trial, so nothing reboots by itself: fix the cause, then reboot';
    add('error', 'boot', 'boot-red', `This boot is RED: ${what}`, `${next}; details: ${journalHint}`);
  } else if (s.state === 'unknown') {
    add(
      'warning',
      'boot',
      'boot-unknown',
      `The verdict of this boot is unknown: ${b.reason}`,
      b.greenboot === 'none' ? 'add greenboot to the image so bad updates are rolled back' : journalHint,
    );
  } else if (s.state === 'degraded' && s.degraded !== 'this is not an ostree system') {
    add(
      'warning',
      'checks',
      'record-missing',
      `The boot is green, but ${s.degraded}`,
      `check that greenboot runs edge-agent: ${journalHint}`,
    );
  }
  const hc = b.healthcheck;
  if (
    hc &&
    s.state !== 'unknown' &&
    !['enabled', 'enabled-runtime', 'static', 'alias', 'indirect', 'generated'].includes(hc.unitFileState)
  ) {
    add(
      'warning',
      'boot',
      'greenboot-disabled',
      `greenboot-healthcheck.service is ${hc.unitFileState || 'not enabled'}: later boots are not checked`,
      'systemctl enable greenboot-healthcheck.service',
    );
  }
  // Once edge-agent has noticed the rollback, its 'rolled-back' problem says the same with the why.
  const rollbackShown = s.lastRollback.found && s.lastRollback.current;
  if (b.fallback && !rollbackShown)
    add(
      'warning',
      'boot',
      'fallback-boot',
      'GRUB booted the previous deployment: the update failed every attempt',
      'see the last rollback below and edge-agent history',
    );
}

function microshiftProblems(m: Sections['microshift'], add: Add): void {
  const unit = m.unit;
  const journal = 'journalctl -u microshift.service';
  if (unit?.activeState === 'failed')
    add(
      'error',
      'microshift',
      'microshift-failed',
      'microshift.service has failed',
      `${journal}; then systemctl restart microshift.service`,
    );
  else if (unit && (unit.nRestarts ?? 0) > 0 && unit.activeState !== 'active')
    add(
      'warning',
      'microshift',
      'microshift-restarting',
      `microshift.service is ${unit.activeState} after ${unit.nRestarts} restarts`,
      journal,
    );
  if (unit?.activeState !== 'active') return;
  if (m.api.state === 'ok' && m.api.ready === false)
    add(
      'warning',
      'microshift',
      'microshift-api-not-ready',
      `The MicroShift API is not ready${m.api.failing?.length ? `: ${m.api.failing.join(', ')} failing` : ''}`,
      journal,
    );
  if (
    m.workloads.state === 'ok' &&
    m.workloads.ready !== undefined &&
    m.workloads.total !== undefined &&
    m.workloads.ready < m.workloads.total
  ) {
    add(
      'warning',
      'microshift',
      'microshift-workloads',
      `${m.workloads.total - m.workloads.ready} of ${m.workloads.total} core workloads are not ready${m.workloads.notReady?.length ? `: ${listSome(m.workloads.notReady)}` : ''}`,
      'oc get pods -A',
    );
  }
  if (m.api.state === 'timed-out')
    add('warning', 'microshift', 'timed-out', m.api.note ?? 'The MicroShift API did not answer in time', journal);
}

function agentProblems(a: Sections['agent'], add: Add): void {
  const { daemon, hub } = a;
  if (daemon.unit && !daemon.running) {
    const failed = daemon.unit.activeState === 'failed';
    add(
      'warning',
      'agent',
      'daemon-down',
      `The edge-agent daemon is ${failed ? 'failed' : 'not running'}: nothing watches the host${hub.configured ? ' or reports to the hub' : ''}`,
      failed
        ? 'journalctl -u edge-agent.service; systemctl restart edge-agent.service'
        : 'systemctl enable --now edge-agent.service',
    );
  } else if (daemon.running && daemon.note) {
    add(
      'warning',
      'agent',
      'daemon-stale',
      `The edge-agent daemon runs but ${daemon.note}`,
      'journalctl -u edge-agent.service',
    );
  }
  if (hub.configured && daemon.running && hub.waitingFor) {
    add(
      'info',
      'agent',
      'hub-waiting',
      `Waiting for ${hub.waitingFor} before connecting to the hub${hub.queued ? `: ${hub.queued} events waiting` : ''}`,
      `install the device's hub certificate files; the daemon connects as soon as they are there`,
    );
  } else if (hub.configured && daemon.running && hub.error) {
    add(
      'warning',
      'agent',
      'hub-file-error',
      `Not connecting to the hub: ${hub.error}`,
      'replace or fix the file; the daemon looks again when it changes',
    );
  } else if (hub.configured && daemon.running && hub.connected === false) {
    add(
      'warning',
      'agent',
      'hub-disconnected',
      `Not connected to the hub${hub.broker ? ` ${hub.broker}` : ''}${hub.queued ? `: ${hub.queued} events waiting` : ''}`,
      'check the network and the client certificate: journalctl -u edge-agent.service',
    );
  }
  if ((hub.dropped ?? 0) > 0)
    add(
      'warning',
      'agent',
      'events-dropped',
      `${hub.dropped} events were dropped because the outbox was full: the hub never got them`,
      'raise outbox.maxEvents or outbox.maxBytes if the device is often offline this long',
    );
}

/** The first few of a list, and how many more. */
export function listSome(items: readonly string[], shown = 3): string {
  return items.length <= shown
    ? items.join(', ')
    : `${items.slice(0, shown).join(', ')} and ${items.length - shown} more`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function omitAction(p: StatusProblem): StatusProblem {
  const { action: _action, ...rest } = p;
  return rest;
}
