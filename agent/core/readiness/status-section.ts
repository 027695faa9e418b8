// The readiness section of `edge-agent status`: built from the gathered facts (or from why they
// could not be gathered), and drawn for people with the status view's own helpers.
import type { Probe } from '../status/facts.js';
import type { SectionState } from '../status/schema.js';
import { buildReadinessSection, type ReadinessFacts, type ReadinessSection } from './facts.js';

export type ReadinessStatus = { state: SectionState; note?: string } & Partial<ReadinessSection>;

export function buildReadinessStatus(probe: Probe<ReadinessFacts>, nowMs: number): ReadinessStatus {
  if (probe.state !== 'ok') return { state: probe.state, note: probe.note };
  return { state: 'ok', ...buildReadinessSection(probe.value, nowMs) };
}

type Style = 'red' | 'yellow' | undefined;

export type ReadinessDrawing = {
  title(text: string): void;
  kv(label: string, value: string, style?: Style): void;
  note(text: string, style?: Style): void;
  why(s: { state: string; note?: string }): string;
};

const STYLE = { ok: undefined, warn: 'yellow', fail: 'red' } as const;

export function renderReadiness(r: ReadinessStatus, d: ReadinessDrawing): void {
  d.title('Readiness');
  if (r.state !== 'ok') return d.note(d.why(r), r.state === 'unavailable' ? undefined : 'yellow');
  const c = r.certificates;
  if (c) {
    const soonest = c.items.find((i) => i.daysLeft !== undefined);
    kvLevel(
      d,
      'Certificates',
      c.items.length === 0
        ? 'none configured'
        : `${c.checked} checked${soonest ? `, soonest ends in ${soonest.daysLeft} days` : ''}`,
      c.level,
    );
    for (const item of c.items.filter((i) => i.level !== 'ok')) d.note(item.message, STYLE[item.level]);
  }
  if (r.fips) d.kv('FIPS', r.fips.message, r.fips.level && STYLE[r.fips.level]);
  const ps = r.pullSecret;
  // Problems already start with the file's name.
  if (ps)
    kvLevel(d, 'Pull secret', ps.message.startsWith(ps.file) ? ps.message : `${ps.file}: ${ps.message}`, ps.level);
  const comp = r.components;
  if (comp) {
    if (comp.state !== 'ok' || !comp.versions) d.kv('Components', d.why(comp));
    else
      d.kv(
        'Components',
        Object.entries(comp.versions)
          .map(([name, v]) => `${name} ${v ?? '(not installed)'}`)
          .join(', '),
      );
    if (comp.layered?.length) d.kv('Layered', comp.layered.join(', '));
    if (comp.removed?.length) d.kv('Removed', comp.removed.join(', '));
  }
  const u = r.update;
  if (u && (u.state !== 'ok' || !u.compatibility || !u.offline)) d.kv('Compatibility', d.why(u));
  else if (u?.compatibility && u.offline) {
    const c = u.compatibility;
    kvLevel(d, 'Compatibility', c.message, c.level === 'unknown' ? 'ok' : c.level);
    const o = u.offline;
    kvLevel(d, 'Images', o.message, o.level === 'unknown' ? 'ok' : o.level);
    if (o.level === 'warn' && o.airGapped && o.missingCount)
      d.note('a registry mirror is configured (air-gapped): the next boot cannot pull these', 'yellow');
  }
  const fw = r.firewall;
  if (fw) {
    if (fw.state !== 'ok' || !fw.ports) d.kv('Firewall', d.why(fw));
    else
      d.kv(
        'Firewall',
        fw.ports.map((p) => `${p.port} ${p.zones.length ? `open (${p.zones.join(', ')})` : 'closed'}`).join('; '),
      );
  }
}

function kvLevel(d: ReadinessDrawing, label: string, value: string, level: keyof typeof STYLE): void {
  d.kv(label, level === 'ok' ? value : `${value} (${level === 'warn' ? 'warning' : 'failing'})`, STYLE[level]);
}
