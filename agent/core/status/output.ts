// What `edge-agent status` prints, from a status result and how the caller wants it shown. The
// daemon formats with the same function when it answers (host/status-socket.ts), so the view is
// the same whoever gathered the facts.
import { renderStatus } from './render.js';
import type { StatusResult } from './schema.js';
import type { StatusView } from './view.js';
import { displayJson, displayText, mapStrings } from '../terminal-text.js';

/** The human view uses the local time zone: the caller's own when it formats, the system's in the daemon. */
// Every string in the result may come from elsewhere (records, daemon.json, the config, a
// broker's error): passwords in URLs are hidden in every format, and control characters are
// escaped for the human view (JSON escapes them itself; terminalSafeJson does the rest).
export function formatStatus(result: StatusResult, view: StatusView): string {
  if (view.format === 'json') return `${displayJson(result, 2)}\n`;
  if (view.format === 'json-line') return `${displayJson(result)}\n`;
  const shown = mapStrings(result, (text) => displayText(text, { newlines: true }));
  return renderStatus(shown, {
    width: view.width,
    color: view.color,
    timeZone: 'local',
    now: Date.parse(result.generatedAt),
  });
}
