// What `edge-agent status` prints, from a status result and how the caller wants it shown. The
// daemon formats with the same function when it answers (host/status-socket.ts), so the view is
// the same whoever gathered the facts.
import { renderStatus } from './status-render.js';
import type { StatusResult } from './status-schema.js';
import type { StatusView } from './status-view.js';

/** The human view uses the local time zone: the caller's own when it formats, the system's in the daemon. */
export function formatStatus(result: StatusResult, view: StatusView): string {
  if (view.format === 'json') return `${JSON.stringify(result, null, 2)}\n`;
  if (view.format === 'json-line') return `${JSON.stringify(result)}\n`;
  return renderStatus(result, { width: view.width, color: view.color, timeZone: 'local', now: Date.parse(result.generatedAt) });
}
