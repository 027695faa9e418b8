// `edge-agent history [--json] [-n N]`: boots and rollbacks, newest first, with reasons. Reads
// only the records in /var, so it tells the truth after a rollback and with a volatile journal.
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { historyEntries, renderHistory } from '../core/render-history.js';
import { displayJson } from '../core/terminal-text.js';
import { createBootFacts } from '../host/boot-facts.js';
import { createBootRecords } from '../host/boot-records.js';
import { closeCreated, lazy } from '../host/checks/deps.js';
import { createGrubEnvReader } from '../host/grubenv.js';
import { readCurrentBootInputs } from '../host/verdict-probe.js';
import type { CommandMain } from './types.js';

export const main: CommandMain = async ({ flags }, { host, config, log, out, signal }) => {
  const limit = flags.n === undefined ? 20 : Number(flags.n);
  if (!Number.isInteger(limit) || limit < 1)
    throw new UsageError(`-n must be a positive whole number (got '${String(flags.n)}')`);
  const records = createBootRecords({
    fs: host.fs,
    clock: host.clock,
    dir: config.boots.dir,
    warn: (m) => log.warn(m),
  });
  const list = await records.list();
  // This boot's line shows the verdict `status` shows, from greenboot's live units too.
  const facts = createBootFacts({ fs: host.fs, clock: host.clock });
  const systemd = lazy(async () =>
    (await import('../host/systemd.js')).createSystemd({ busAddress: host.env.DBUS_SYSTEM_BUS_ADDRESS }),
  );
  const current = await readCurrentBootInputs(
    {
      grubenv: createGrubEnvReader({ fs: host.fs }),
      systemd,
      signal,
      bootId: () => facts.bootId(),
      greenboot: () => facts.greenbootImplementation(),
    },
    list,
  ).finally(() => closeCreated(systemd));
  const entries = historyEntries(list, limit, (r) => records.newerValues(r), current);
  out(
    flags.json
      ? `${displayJson({ schema: 1, entries }, 2)}
`
      : renderHistory(entries),
  );
  return ExitCode.Ok;
};
