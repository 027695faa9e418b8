// `edge-agent history [--json] [-n N]`: boots and rollbacks, newest first, with reasons. Reads
// only the records in /var, so it tells the truth after a rollback and with a volatile journal.
import { UsageError } from '../../errors.js';
import { ExitCode } from '../../exit-codes.js';
import { historyEntries, renderHistory } from '../../core/render-history.js';
import { displayJson } from '../../core/terminal-text.js';
import { createBootFacts } from '../../host/system-facts.js';
import { createGrubEnvReader } from '../../host/grubenv.js';
import { readCurrentBootInputs } from '../../host/verdict-probe.js';
import type { CommandMain } from '../types.js';

export const main: CommandMain = async ({ flags }, { host, out, signal }) => {
  const limit = flags.n === undefined ? 20 : Number(flags.n);
  if (!Number.isInteger(limit) || limit < 1)
    throw new UsageError(`-n must be a positive whole number (got '${String(flags.n)}')`);
  const records = await host.records();
  const list = await records.list();
  // This boot's line shows the verdict `status` shows, from greenboot's live units too.
  const facts = createBootFacts({ fs: host.fs, clock: host.clock });
  const current = await readCurrentBootInputs(
    {
      grubenv: createGrubEnvReader({ fs: host.fs }),
      systemd: host.systemd,
      signal,
      bootId: () => facts.bootId(),
      greenboot: () => facts.greenbootImplementation(),
    },
    list,
  );
  const entries = historyEntries(list, limit, (r) => records.newerValues(r), current);
  out(
    flags.json
      ? `${displayJson({ schema: 1, entries }, 2)}
`
      : renderHistory(entries),
  );
  return ExitCode.Ok;
};
