// How `edge-agent status` is to be shown: the part of its output the caller decides. Sent to the
// daemon over its socket when it answers, so `parseStatusView` checks what arrives. Kept apart
// from the renderer so the client that asks the daemon loads no rendering code.

export interface StatusView {
  /** text: the human view; json: indented; json-line: one object per line (--watch --json). */
  format: 'text' | 'json' | 'json-line';
  width: number;
  color: boolean;
}

const FORMATS: readonly string[] = ['text', 'json', 'json-line'];

export function parseStatusView(data: unknown): StatusView | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { format, width, color } = data as Record<string, unknown>;
  if (typeof format !== 'string' || !FORMATS.includes(format)) return undefined;
  if (typeof width !== 'number' || !Number.isInteger(width) || width < 40 || width > 80) return undefined;
  if (typeof color !== 'boolean') return undefined;
  return { format: format as StatusView['format'], width, color };
}
