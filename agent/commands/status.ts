// `edge-agent status [--json] [--watch [--interval SEC]]`: the one-screen truth about this device.
// Exit codes: 0 green, 1 red, 2 checking, 3 unknown or degraded (not an ostree system, records
// missing); --watch ends with 0 when interrupted. Works without root, the daemon, MicroShift or
// greenboot: what cannot be read is shown as such. Reads its few settings itself (needsConfig is
// false), so a broken configuration is reported instead of hiding the device's state. As root, the
// running daemon gathers the facts when it answers in time (host/status-source.ts).
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { renderStatus } from '../core/status-render.js';
import type { StatusResult } from '../core/status-schema.js';
import { createStatusSource } from '../host/status-source.js';
import { redrawFrame, terminalView } from '../host/status-terminal.js';
import type { CommandMain } from './types.js';

export const main: CommandMain = async ({ flags }, deps) => {
  const { host, signal, out } = deps;
  const json = Boolean(flags.json);
  const watch = Boolean(flags.watch);
  const intervalMs = parseInterval(flags.interval, watch);
  const view = terminalView(host.env);
  const source = createStatusSource(deps);
  const render = (result: StatusResult) => renderStatus(result, { ...view, now: Date.parse(result.generatedAt) });
  try {
    if (!watch) {
      const result = await source.next();
      out(json ? `${JSON.stringify(result, null, 2)}\n` : render(result));
      return result.exitCode;
    }
    for (let first = true; !signal.aborted; first = false) {
      const result = await source.next();
      if (signal.aborted) break;
      if (json) out(`${JSON.stringify(result)}\n`);
      else out(view.tty ? redrawFrame(render(result)) : `${first ? '' : '\n'}${render(result)}`);
      await host.clock.sleep(intervalMs, signal).catch(() => undefined);
    }
    return ExitCode.Ok;
  } finally {
    await source.close();
  }
};

function parseInterval(value: unknown, watch: boolean): number {
  if (value === undefined) return 2000;
  if (!watch) throw new UsageError('--interval only goes with --watch');
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0.5 || seconds > 3600) throw new UsageError(`--interval must be a number of seconds from 0.5 to 3600 (got '${String(value)}')`);
  return seconds * 1000;
}
