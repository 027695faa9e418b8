// How the human view of `status` is drawn on this output: colours only on a terminal and never
// with NO_COLOR (no-color.org: set and not empty) or TERM=dumb; at most 80 columns.
import type { RenderOptions } from '../../core/status/render.js';

export interface OutputStream {
  isTTY?: boolean;
  columns?: number;
}

export function terminalView(
  env: Readonly<Record<string, string | undefined>>,
  stream: OutputStream = process.stdout,
): Required<Pick<RenderOptions, 'width' | 'color' | 'timeZone'>> & { tty: boolean } {
  const tty = stream.isTTY === true;
  const color = tty && !env.NO_COLOR && env.TERM !== 'dumb';
  const width = tty && stream.columns ? Math.max(40, Math.min(80, stream.columns)) : 80;
  return { tty, color, width, timeZone: 'local' };
}

/** Redraw in place: home, each line cleared to its end, then the rest of the screen. */
export function redrawFrame(text: string): string {
  return `\x1b[H${text.replace(/\n/g, '\x1b[K\n')}\x1b[J`;
}
