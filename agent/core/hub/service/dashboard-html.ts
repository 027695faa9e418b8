// The dashboard's pages, rendered on the server as plain HTML: no framework, no CDN, no script
// needed to read them. Everything a device sent goes through esc() (ids, versions, reasons are
// untrusted), and every link is built from encodeURIComponent'd parts.
import type { DevicePage, DeviceRow, ListFilter, Overview, TimelineEntry } from './views.js';
import { LIST_FILTERS, preRollbackSteps, readinessWarnings } from './views.js';

export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function layout(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)} · edge-agent hub</title><link rel="stylesheet" href="/static/hub.css"></head><body><header><a href="/">edge-agent hub</a></header><main>${body}</main></body></html>`;
}

const link = (params: Record<string, string | undefined>) => {
  const query = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${encodeURIComponent(v as string)}`)
    .join('&');
  return `/devices${query ? `?${query}` : ''}`;
};

export function renderOverviewPage(o: Overview): string {
  const tile = (label: string, n: number, filter?: ListFilter) =>
    `<a class="tile ${esc(filter ?? 'all')}" href="${link({ filter })}" data-count="${esc(label)}"><span class="n">${n}</span><span class="label">${esc(label)}</span></a>`;
  const rejects = Object.entries(o.rejects);
  return layout(
    'Fleet',
    `<h1>Fleet</h1><section class="tiles">${tile('devices', o.devices)}${tile('green', o.verdicts.green, 'green')}${tile('red', o.verdicts.red, 'red')}${tile('checking', o.verdicts.checking, 'checking')}${tile('offline', o.offline, 'offline')}${tile('rolled back 24h', o.rolledBack24h, 'rolled-back')}<span class="tile readiness" data-count="readiness warnings" title="${o.readiness.warn} warn, ${o.readiness.fail} fail"><span class="n">${o.readiness.warn + o.readiness.fail}</span><span class="label">readiness warnings</span></span></section>` +
      searchForm({}) +
      `<p class="meta">unknown verdict: ${o.verdicts.unknown}; online state unknown: ${o.onlineUnknown}; events pruned: ${o.pruned.byCount} by count, ${o.pruned.byAge} by age; as of ${esc(o.generatedAt)}</p>` +
      (rejects.length
        ? `<h2>Rejected or escaped input</h2><ul class="rejects">${rejects.map(([k, v]) => `<li>${esc(k)}: ${v}</li>`).join('')}</ul>`
        : ''),
  );
}

function searchForm(current: { q?: string; filter?: string; version?: string }): string {
  const options = ['', ...LIST_FILTERS]
    .map(
      (f) =>
        `<option value="${esc(f)}"${f === (current.filter ?? '') ? ' selected' : ''}>${esc(f || 'any state')}</option>`,
    )
    .join('');
  return `<form class="search" method="get" action="/devices"><input name="q" placeholder="device id contains" value="${esc(current.q)}"><input name="version" placeholder="deployment version" value="${esc(current.version)}"><select name="filter">${options}</select><button type="submit">Search</button></form>`;
}

export function renderDeviceListPage(
  page: DevicePage,
  query: { q?: string; filter?: string; version?: string },
): string {
  const rows = page.devices
    .map(
      (d) =>
        `<tr class="v-${esc(d.verdict)}"><td><a href="/devices/${encodeURIComponent(d.id)}">${esc(d.id)}</a></td><td>${esc(d.verdict)}</td><td>${esc(d.online)}</td><td>${esc(d.version ?? '-')}</td><td>${esc(d.rollbackAt ?? '-')}</td><td>${esc(d.seenAt)}</td></tr>`,
    )
    .join('');
  const next = page.next
    ? `<a class="next" href="${link({ ...query, cursor: page.next })}">next page</a>`
    : '<span class="end">end of list</span>';
  return layout(
    'Devices',
    `<h1>Devices</h1>${searchForm(query)}<table class="devices"><thead><tr><th>device</th><th>verdict</th><th>online</th><th>deployment</th><th>last rollback</th><th>last message</th></tr></thead><tbody>${rows || '<tr><td colspan="6">no device matches</td></tr>'}</tbody></table><nav>${next}</nav>`,
  );
}

/** A support bundle a device uploaded, as the device page lists it. */
export interface BundleView {
  sha256: string;
  size: number;
  uploadedAt: string;
  /** Where an operator downloads it (same authentication as the rest of the dashboard). */
  href: string;
}

export function renderDevicePage(
  row: DeviceRow,
  status: unknown,
  timeline: TimelineEntry[],
  bundles: BundleView[] = [],
): string {
  const s = (status ?? {}) as {
    attempt?: { n: number; max: number };
    agent?: string;
    staged?: { version?: string; checksum?: string };
    outbox?: { queued: number; dropped: number };
  };
  const facts: Array<[string, unknown]> = [
    ['verdict', row.verdict],
    ['online', `${row.online}${row.onlineAt ? ` since ${row.onlineAt}` : ''}`],
    ['deployment', row.version ?? '-'],
    ['attempt', s.attempt ? `${s.attempt.n}/${s.attempt.max}` : '-'],
    ['staged', s.staged ? (s.staged.version ?? s.staged.checksum) : '-'],
    ['agent', s.agent ?? '-'],
    ['outbox', s.outbox ? `${s.outbox.queued} queued, ${s.outbox.dropped} dropped` : '-'],
    ['last rollback', row.rollbackAt ?? '-'],
    ['events pruned', row.eventsPruned],
  ];
  const items = timeline
    .map(
      (e) =>
        `<li class="ev ${esc(e.type)}"><time datetime="${esc(e.time)}">${esc(e.time)}</time> <span class="summary">${esc(e.summary)}</span> <span class="received">reached the hub ${esc(e.receivedAt)}</span>${preRollbackList(e)}</li>`,
    )
    .join('');
  return layout(
    row.id,
    `<h1>${esc(row.id)}</h1><dl class="facts">${facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>${readinessSection(status)}<h2>Boots and rollbacks, newest first</h2><ol class="timeline">${items || '<li>no events yet</li>'}</ol>${bundleSection(bundles)}`,
  );
}

function readinessSection(status: unknown): string {
  const warnings = readinessWarnings(status);
  if (warnings.length === 0) return '';
  return `<h2>Readiness warnings</h2><ul class="readiness">${warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>`;
}

function bundleSection(bundles: BundleView[]): string {
  const rows = bundles
    .map(
      (b) =>
        `<tr><td>${esc(b.uploadedAt)}</td><td>${esc(formatBytes(b.size))}</td><td><code>${esc(b.sha256)}</code></td><td><a href="${esc(b.href)}" download>download</a></td></tr>`,
    )
    .join('');
  return `<h2>Support bundles</h2><table class="bundles"><thead><tr><th>uploaded</th><th>size</th><th>sha256</th><th></th></tr></thead><tbody>${rows || '<tr><td colspan="4">none uploaded</td></tr>'}</tbody></table>`;
}

const formatBytes = (n: number): string =>
  n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`;

/** A rollback's pre-rollback steps, one line each with its outcome and message. */
function preRollbackList(e: TimelineEntry): string {
  const steps = e.type === 'rollback-detected' ? preRollbackSteps(e.body) : [];
  if (steps.length === 0) return '';
  const rows = steps
    .map(
      (a) =>
        `<li class="step outcome-${esc(a.outcome)}"><span class="step-id">${esc(a.id)}</span>: <span class="outcome">${esc(a.outcome)}</span>${a.message ? ` <span class="message">${esc(a.message)}</span>` : ''}</li>`,
    )
    .join('');
  return `<ul class="pre-rollback" aria-label="pre-rollback actions">${rows}</ul>`;
}

export const DASHBOARD_CSS = `body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#222}header{background:#1d2b3a;padding:.6em 1em}header a{color:#fff;text-decoration:none;font-weight:600}main{padding:1em}
.tiles{display:flex;flex-wrap:wrap;gap:.6em}.tile{display:flex;flex-direction:column;min-width:8em;padding:.7em;border-radius:6px;background:#eef1f4;color:inherit;text-decoration:none}.tile .n{font-size:1.8em;font-weight:700}
.tile.green{background:#e3f4e6}.tile.red{background:#fbe4e4}.tile.checking{background:#fdf3da}.tile.offline{background:#e6e6e6}.tile.rolled-back{background:#f3e6fb}.tile.readiness{background:#fff0d6}
.search{margin:1em 0;display:flex;gap:.4em}table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.3em .6em;border-bottom:1px solid #ddd}
tr.v-red td:nth-child(2){color:#b00020;font-weight:600}tr.v-green td:nth-child(2){color:#17702a}.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em}
.timeline{list-style:none;padding:0}.timeline li{padding:.3em 0;border-bottom:1px solid #eee}.ev.rollback-detected .summary{color:#7a1fa2;font-weight:600}.received,.meta{color:#777;font-size:.9em}nav{margin:1em 0}
.pre-rollback{margin:.2em 0 .2em 1.5em;padding:0;list-style:disc}.pre-rollback li{border:0;padding:0}.outcome-failed .outcome,.outcome-warning .outcome{color:#b00020;font-weight:600}
.readiness li{color:#8a5300}table.bundles code{font-size:.85em}`;
