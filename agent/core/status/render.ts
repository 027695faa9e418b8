// The human view of `edge-agent status`, in the style of `systemctl status` and `rpm-ostree
// status`: the verdict line, the problems with what to do, then one block per section. Rendered
// from the same result object as --json; pure, so it is tested with golden files.
import { describeRuntime } from '../runtime-kind.js';
import {
  formatAge,
  formatBytes,
  formatDuration,
  formatSpan,
  formatTime,
  paint,
  truncate,
  wrap,
  type FormatOptions,
  type Style,
} from './format.js';
import { listSome } from './problems.js';
import type { StatusResult, StatusState } from './schema.js';
import { deploymentLabel } from './summary.js';
import { renderReadiness } from '../readiness/status-section.js';

export type RenderOptions = Partial<FormatOptions>;

const STATE_STYLE: Record<StatusState, Style> = {
  green: 'green',
  red: 'red',
  checking: 'yellow',
  unknown: 'yellow',
  degraded: 'yellow',
};
const LABEL = 14;
/** One row of the checks or scripts table: mark, name, class, outcome, duration. */
const tableRow = (mark: string, name: string, width: number, kind: string, outcome: string, ms?: number) =>
  `  ${mark} ${truncate(name, width).padEnd(width)}  ${kind.padEnd(8)}  ${outcome.padEnd(10)} ${formatDuration(ms).padStart(7)}`.trimEnd();
const NOT_OK: Record<string, string> = {
  'needs-root': 'needs root',
  'timed-out': 'unknown (timed out)',
  unavailable: 'not available',
  error: 'unknown (error)',
};
/** "needs root: why", "unknown (timed out): why"; an unavailable source is just the reason. */
const why = (s: { state: string; note?: string }) =>
  s.state === 'unavailable' && s.note ? s.note : `${NOT_OK[s.state] ?? s.state}${s.note ? `: ${s.note}` : ''}`;

export function renderStatus(result: StatusResult, options: RenderOptions = {}): string {
  const o: FormatOptions = {
    width: options.width ?? 80,
    color: options.color ?? false,
    now: options.now ?? Date.parse(result.generatedAt),
    timeZone: options.timeZone ?? 'UTC',
  };
  const out: string[] = [];
  const line = (text = '') => out.push(text);
  const kv = (label: string, value: string, style?: Style) => {
    const lines = wrap(value, o.width, `${label.padStart(LABEL)}: `, ' '.repeat(LABEL + 2));
    lines[0] = `${label.padStart(LABEL)}: ${paint(lines[0]?.slice(LABEL + 2) ?? '', style, o)}`;
    out.push(...lines);
  };
  const note = (text: string, style?: Style) =>
    out.push(...wrap(text, o.width, '    ', '    ').map((l) => `    ${paint(l.slice(4), style, o)}`));
  const title = (text: string) => {
    line();
    line(paint(text, 'bold', o));
  };
  const notOk = (s: { state: string; note?: string }) => note(why(s), s.state === 'unavailable' ? undefined : 'yellow');
  const time = (iso: string | undefined) => formatTime(iso, o);
  const timeAgo = (iso: string | undefined) => `${time(iso)} (${formatAge(iso, o.now)})`;

  // Header: the verdict first, in colour.
  const head = wrap(result.summary, o.width, '● ', '  ');
  out.push(
    ...head.map((l, i) =>
      i === 0 ? `${paint('●', STATE_STYLE[result.state], o)} ${paint(l.slice(2), 'bold', o)}` : l,
    ),
  );
  const d = result.device;
  const clock = time(result.generatedAt).slice(11);
  const facts = [
    d.hostname,
    d.os?.prettyName ?? d.os?.name,
    d.uptimeSec === undefined ? undefined : `up ${formatSpan(d.uptimeSec)}`,
    clock,
  ].filter(Boolean);
  out.push(...wrap(facts.join(' · '), o.width, '  ', '  '));

  if (result.problems.length) {
    title('Problems');
    for (const p of result.problems) {
      const mark =
        p.severity === 'error'
          ? paint('✗', 'red', o)
          : p.severity === 'warning'
            ? paint('!', 'yellow', o)
            : paint('i', 'blue', o);
      const lines = wrap(p.message, o.width, '  x ', '    ');
      out.push(`  ${mark} ${lines[0]?.slice(4) ?? ''}`, ...lines.slice(1));
      if (p.action) out.push(...wrap(`→ ${p.action}`, o.width, '    ', '      '));
    }
  }

  title('Device');
  if (d.state !== 'ok') notOk(d);
  else {
    kv('Device id', d.id ?? 'unknown (no /etc/machine-id)');
    kv('Hostname', d.hostname ?? 'unknown');
    kv('OS', d.os?.prettyName ?? ([d.os?.name, d.os?.version].filter(Boolean).join(' ') || 'unknown'));
    kv(
      'Uptime',
      d.uptimeSec === undefined
        ? 'unknown'
        : `${formatSpan(d.uptimeSec)}${d.bootedAt ? ` (booted ${time(d.bootedAt)})` : ''}`,
    );
    kv('Boot id', d.bootId ?? 'unknown');
    kv('ostree', d.ostree ? 'yes' : 'no: not an ostree-booted system', d.ostree ? undefined : 'yellow');
  }

  const deps = result.deployments;
  title(
    `Deployments${deps.source ? ` (${deps.source === 'cache' ? `rpm-ostree, ${formatAge(deps.fetchedAt, o.now)}` : deps.source === 'boot-record' ? "from this boot's record" : 'rpm-ostree'})` : ''}`,
  );
  if (deps.state !== 'ok') notOk(deps);
  if (deps.transaction) kv('Transaction', deps.transaction, 'yellow');
  const nameWidth = Math.min(o.width - 16, Math.max(0, ...deps.list.map((dep) => deploymentLabel(dep).length)));
  for (const dep of deps.list) {
    const flags = [dep.role === 'other' ? '' : dep.role, dep.pinned ? 'pinned' : ''].filter(Boolean).join(', ');
    const mark = dep.booted ? paint('●', 'green', o) : ' ';
    out.push(`  ${mark} ${truncate(deploymentLabel(dep), nameWidth).padEnd(nameWidth)}  ${flags}`.trimEnd());
    const source = dep.containerImage ?? dep.origin;
    if (source)
      out.push(...wrap(source, o.width, `      ${dep.containerImage ? 'Image' : 'Origin'}: `, '              '));
    if (dep.layeredPackages.length)
      out.push(...wrap(dep.layeredPackages.join(' '), o.width, '     Layered: ', '              '));
  }
  if (deps.state === 'ok' && deps.list.length === 0) note('none');

  const b = result.boot;
  title('This boot');
  kv('Verdict', `${b.verdict.toUpperCase()}: ${b.reason}`, STATE_STYLE[b.verdict]);
  // A fallback boot is no attempt of any update: its record says 1 of 1 (no counter was left).
  if (b.attempt !== undefined && b.attempts !== undefined && !b.fallback)
    kv(
      'Attempt',
      `${b.attempt} of ${b.attempts}${b.verdict !== 'green' && !b.updateOnTrial && !b.fallback ? ' (no update on trial: a red boot is not retried)' : ''}`,
    );
  if (b.fallback) kv('Attempt', 'fallback boot: GRUB booted the previous deployment', 'yellow');
  const g = b.grubenv;
  kv(
    'grubenv',
    g.state === 'ok' ? `boot_counter=${g.bootCounter ?? 'unset'} boot_success=${g.bootSuccess ?? 'unset'}` : why(g),
  );
  const names = {
    bash: 'bash greenboot (0.15)',
    rs: 'greenboot-rs (0.16)',
    none: 'not installed',
    unknown: 'installed, version unknown',
  };
  kv(
    'greenboot',
    `${names[b.greenboot]}${b.healthcheck ? `; healthcheck ${b.healthcheck.activeState} (${b.healthcheck.subState})` : ''}`,
  );
  if (b.running) kv('Running', b.running.message, b.running.kind === 'required' ? 'yellow' : undefined);
  if (b.checksStartedAt)
    kv(
      'Checks ran',
      `${time(b.checksStartedAt)}${b.checksEndedAt ? ` for ${formatSpan((Date.parse(b.checksEndedAt) - Date.parse(b.checksStartedAt)) / 1000)}` : ''}`,
    );
  if (b.verdictAt) kv('Verdict at', timeAgo(b.verdictAt));

  const c = result.checks;
  title('Checks of this boot');
  if (c.state !== 'ok') notOk(c);
  const idWidth = Math.min(o.width - 36, Math.max(12, ...c.results.map((r) => r.id.length)));
  for (const r of c.results) {
    const passed = r.outcome === 'pass';
    const mark = passed
      ? paint('✓', 'green', o)
      : r.outcome === 'skipped'
        ? paint('-', 'dim', o)
        : paint('✗', r.class === 'required' ? 'red' : 'yellow', o);
    out.push(tableRow(mark, r.id, idWidth, r.class, r.outcome, r.durationMs));
    if (!passed && r.outcome !== 'skipped' && (r.message ?? r.reason))
      out.push(`      ${truncate(r.message ?? r.reason ?? '', o.width - 6)}`);
  }

  const gs = result.scripts;
  if (gs) {
    title('Scripts of this boot');
    if (gs.error) note(`greenboot's journal could not be read: ${gs.error}`);
    const nameWidth = Math.min(o.width - 36, Math.max(12, ...gs.list.map((s) => s.name.length)));
    for (const s of gs.list) {
      const ok = s.outcome === 'success';
      const mark = ok
        ? paint('✓', 'green', o)
        : s.outcome === 'disabled'
          ? paint('-', 'dim', o)
          : paint('✗', s.kind === 'required' ? 'red' : 'yellow', o);
      const outcome = s.outcome === 'failure' && s.exitCode !== undefined ? `exit ${s.exitCode}` : (s.outcome ?? '?');
      out.push(tableRow(mark, s.name, nameWidth, s.kind ?? '?', outcome, s.durationMs));
      // The JSON keeps all kept lines; one screen shows the last three.
      for (const line of (s.lastLines ?? []).slice(-3)) out.push(`      ${truncate(line, o.width - 6)}`);
    }
    if (gs.explanation) out.push(...wrap(gs.explanation, o.width, '  ', '  '));
  }

  const rb = result.lastRollback;
  title('Last rollback');
  if (rb.state !== 'ok') notOk(rb);
  else if (!rb.found) note('none recorded');
  else {
    kv('When', timeAgo(rb.detectedAt));
    kv('From', deploymentLabel(rb.from));
    kv('To', `${deploymentLabel(rb.to)}${rb.current ? ' (booted now)' : ''}`);
    kv(
      'Why',
      `${rb.reason ?? 'unknown'}${rb.failedBoots !== undefined ? ` (after ${rb.failedBoots} failed boot${rb.failedBoots === 1 ? '' : 's'})` : ''}`,
    );
  }

  const m = result.microshift;
  title('MicroShift');
  if (m.installed === false) note('not installed');
  else if (m.state !== 'ok') notOk(m);
  else {
    if (m.unit)
      kv(
        'Unit',
        `${m.unit.activeState} (${m.unit.subState}), ${m.unit.unitFileState || 'no unit file'}${m.unit.nRestarts ? `, ${m.unit.nRestarts} restarts` : ''}`,
        m.unit.activeState === 'active' ? 'green' : m.unit.activeState === 'failed' ? 'red' : 'yellow',
      );
    const src = m.source
      ? ` (${m.source === 'daemon' ? "daemon's check" : 'checked'} ${formatAge(m.checkedAt, o.now)})`
      : '';
    kv(
      'API',
      m.api.state === 'ok'
        ? `${m.api.ready ? 'ready' : 'not ready'}${m.api.failing?.length ? `: ${m.api.failing.join(', ')} failing` : ''}${src}`
        : why(m.api),
      m.api.state === 'ok' && m.api.ready ? undefined : 'yellow',
    );
    const w = m.workloads;
    const sameAsApi = w.state !== 'ok' && w.state === m.api.state && w.note === m.api.note;
    if (sameAsApi) kv('Workloads', 'not known (see API)', 'yellow');
    else
      kv(
        'Workloads',
        w.state === 'ok'
          ? `${w.ready ?? '?'} of ${w.total ?? '?'} core workloads ready${w.notReady?.length ? `; not ready: ${listSome(w.notReady)}` : ''}`
          : why(w),
        w.state === 'ok' && w.ready === w.total ? undefined : 'yellow',
      );
  }

  const j = result.journal;
  title('Journal');
  if (j.state !== 'ok') notOk(j);
  else {
    const where =
      j.location === 'disk' ? 'persistent (on disk)' : j.location === 'memory' ? 'volatile (in memory)' : 'not kept';
    kv('Storage', `${where}, Storage=${j.storage}`, j.persistent ? undefined : 'yellow');
    if (j.diskUsageBytes !== undefined) kv('Disk use', formatBytes(j.diskUsageBytes));
    kv(
      'Earlier boots',
      j.boots === undefined
        ? 'unknown'
        : j.earlierBoots
          ? `${j.boots - 1} (journalctl --list-boots)`
          : 'none: only this boot is in the journal',
    );
  }

  if (result.readiness) renderReadiness(result.readiness, { title, kv, note, why });

  const a = result.agent;
  title('Agent and hub');
  const dm = a.daemon;
  const since = dm.startedAt ? `, since ${time(dm.startedAt)}` : '';
  kv(
    'Daemon',
    dm.running
      ? `running${dm.pid ? ` (pid ${dm.pid}${since})` : since}`
      : dm.unit
        ? `not running (edge-agent.service ${dm.unit.activeState})`
        : dm.state === 'ok'
          ? 'not running'
          : why(dm),
    dm.running ? undefined : 'yellow',
  );
  kv('Version', `edge-agent ${a.version}${dm.version && dm.version !== a.version ? ` (daemon: ${dm.version})` : ''}`);
  if (a.runtime) kv('Runtime', describeRuntime(a.runtime));
  const h = a.hub;
  if (!h.configured) kv('Hub', 'not configured');
  else {
    const broker = h.broker ?? 'the hub';
    if (h.waitingFor) kv('Hub', `waiting for ${h.waitingFor} (${broker})`, 'yellow');
    else if (h.error) kv('Hub', `not connecting to ${broker}: ${h.error}`, 'red');
    else
      kv(
        'Hub',
        h.connected
          ? `connected to ${broker}`
          : h.connected === false
            ? `not connected to ${broker}`
            : `${broker}, connection unknown`,
        h.connected ? undefined : 'yellow',
      );
    kv(
      'Last report',
      h.lastReportAt ? timeAgo(h.lastReportAt) : dm.running ? 'none yet' : 'unknown: the daemon is not running',
    );
  }
  if (h.queued !== undefined || h.dropped !== undefined)
    kv(
      'Outbox',
      `${h.queued ?? '?'} events waiting, ${h.dropped ?? '?'} dropped`,
      (h.dropped ?? 0) > 0 ? 'yellow' : undefined,
    );
  else if (h.configured && h.state !== 'ok') kv('Outbox', why(h));
  return `${out.join('\n')}\n`;
}
