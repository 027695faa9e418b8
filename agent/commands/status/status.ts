// `edge-agent status [--json] [--watch [--interval SEC]]`: the one-screen truth about this device.
// Exit codes: 0 green, 1 red, 2 checking, 3 unknown or degraded (not an ostree system, records
// missing); --watch ends with 0 when interrupted. Works without root, the daemon, MicroShift or
// greenboot: what cannot be read is shown as such. Reads its few settings itself (needsConfig is
// false), so a broken configuration is reported instead of hiding the device's state. As root, the
// running daemon gathers the facts when it answers in time (source.ts).
import { UsageError } from '../../errors.js';
import { ExitCode } from '../../exit-codes.js';
import type { StatusView } from '../../core/status/view.js';
import { sinceStartMs } from '../../host/clock.js';
import { probeTimes } from './limit.js';
import { createStatusSource } from './source.js';
import { redrawFrame, terminalView } from './terminal.js';
import type { CommandMain } from '../types.js';

export const main: CommandMain = async ({ flags }, deps) => {
  const { host, signal, out } = deps;
  const json = Boolean(flags.json);
  const watch = Boolean(flags.watch);
  const intervalMs = parseInterval(flags.interval, watch);
  const terminal = terminalView(host.env);
  const view: StatusView = {
    format: json ? (watch ? 'json-line' : 'json') : 'text',
    width: terminal.width,
    color: terminal.color,
  };
  const source = createStatusSource(deps);
  if (!watch) {
    const loadedMs = sinceStartMs();
    const answer = await source.next(view);
    out(answer.output);
    if (host.env.EDGE_AGENT_STATUS_TRACE === '1') process.stderr.write(traceText(loadedMs));
    return answer.exitCode;
  }
  for (let first = true; !signal.aborted; first = false) {
    const { output } = await source.next(view);
    if (signal.aborted) break;
    if (json) out(output);
    else out(terminal.tty ? redrawFrame(output) : `${first ? '' : '\n'}${output}`);
    await host.clock.sleep(intervalMs, signal).catch(() => undefined);
  }
  return ExitCode.Ok;
};

/** One line per source, on the process's own clock (ms since Node started). */
function traceText(loadedMs: number): string {
  const ms = (n: number) => n.toFixed(1).padStart(7);
  const lines = [`status trace: ${ms(loadedMs)} ms  status command loaded (Node start and modules)`];
  for (const p of [...probeTimes].sort((a, b) => a.startMs - b.startMs))
    lines.push(`status trace: ${ms(p.startMs)} ms +${ms(p.ms)} ms  ${p.what} (${p.state})`);
  lines.push(`status trace: ${ms(sinceStartMs())} ms  output written`);
  return `${lines.join('\n')}\n`;
}

function parseInterval(value: unknown, watch: boolean): number {
  if (value === undefined) return 2000;
  if (!watch) throw new UsageError('--interval only goes with --watch');
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0.5 || seconds > 3600)
    throw new UsageError(`--interval must be a number of seconds from 0.5 to 3600 (got '${String(value)}')`);
  return seconds * 1000;
}
