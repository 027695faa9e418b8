// `edge-agent fleet`: the hub-side view of every device under a topic prefix, from the retained
// status and online messages on the broker. One row per device, problems first. Runs anywhere
// that can reach the broker (it needs no device config), with a reader certificate.
import { resolve } from 'node:path';
import {
  FLEET_FILTERS,
  FLEET_SORTS,
  filterFleetRows,
  fleetRows,
  renderFleetTable,
  sortFleetRows,
  type FleetFilter,
  type FleetSort,
  type FleetState,
} from '../../core/hub/fleet.js';
import { displayJson } from '../../core/terminal-text.js';
import { UsageError } from '../../errors.js';
import { ExitCode } from '../../exit-codes.js';
import { checkBrokerUrl, readTlsMaterial } from '../../hub/hub-config.js';
import { readFleet, watchFleet } from '../../hub/fleet-reader.js';
import { readFleetFromHub } from '../../hub/hub-api-client.js';
import type { CommandMain, Flags } from '../types.js';

const str = (flags: Flags, name: string) => (typeof flags[name] === 'string' ? (flags[name] as string) : undefined);

function oneOf<T extends string>(flags: Flags, name: string, allowed: readonly T[]): T | undefined {
  const value = str(flags, name);
  if (value === undefined || allowed.includes(value as T)) return value as T | undefined;
  throw new UsageError(`--${name} ${value}: expected one of ${allowed.join(', ')}`);
}

export const main: CommandMain = async ({ flags }, { host, out, signal }) => {
  const broker = str(flags, 'broker');
  const hub = str(flags, 'hub');
  if (hub) return fromHub(hub, flags, { host, out, signal });
  if (!broker)
    throw new UsageError(
      '--hub URL (the hub service) or --broker URL is required (for example --hub http://127.0.0.1:8787 or --broker mqtts://hub.example.com:8883)',
    );
  const prefix = (str(flags, 'prefix') ?? 'edge/v1').replace(/\/+$/, '');
  if (!/^[^/+#\s]+(\/[^/+#\s]+)*$/.test(prefix))
    throw new UsageError(`--prefix ${prefix}: expected topic levels without wildcards, for example edge/v1`);
  const sort: FleetSort = oneOf(flags, 'sort', FLEET_SORTS) ?? 'state';
  const filter: FleetFilter | undefined = oneOf(flags, 'state', FLEET_FILTERS);
  checkBrokerUrl(broker, flags['allow-insecure'] === true, 'command line', '--broker', '--allow-insecure');
  const file = (name: string) => {
    const value = str(flags, name);
    return value === undefined ? undefined : resolve(process.cwd(), value);
  };
  const files = { ca: file('ca'), cert: file('cert'), key: file('key') };
  // A file that is not PEM, or a key that does not belong to the certificate, is a
  // configuration error (exit 78) naming the files, found before connecting.
  const tls = await readTlsMaterial(files, host.fs, (name) => `--${name}`);
  const reader = { url: broker, tls, prefix, clock: host.clock, signal };
  const rows = (state: FleetState) => filterFleetRows(sortFleetRows(fleetRows(state), sort), filter);
  const print = (state: FleetState) =>
    out(flags.json ? `${displayJson(rows(state))}\n` : renderFleetTable(rows(state), host.clock.now()));

  if (!flags.watch) {
    const maxWait = str(flags, 'max-wait');
    const maxMs = maxWait === undefined ? undefined : Number(maxWait) * 1000;
    if (maxMs !== undefined && (!Number.isFinite(maxMs) || maxMs < 1000))
      throw new UsageError(`--max-wait ${maxWait}: expected seconds, at least 1`);
    const reading = await readFleet(reader, { maxMs });
    print(reading.state);
    // Never a silently partial fleet: say what was seen and whether the time cap cut it.
    const seen = `${reading.state.size} devices seen in ${(reading.elapsedMs / 1000).toFixed(1)} s`;
    const note = reading.cutShort
      ? `fleet: INCOMPLETE: ${seen}; retained messages were still arriving when the time cap ended the collection (raise --max-wait, or use --hub with the hub service)\n`
      : `fleet: ${seen}, complete (no new message for 1.5 s)\n`;
    // --json keeps stdout pure JSON: a cut-short collection is told on stderr and by the exit code.
    if (reading.cutShort) process.stderr.write(note);
    else if (!flags.json) out(note);
    await flushStdout();
    return reading.cutShort ? ExitCode.Pending : ExitCode.Ok;
  }
  await watchFleet(reader, (state, connected) => {
    if (flags.json) return print(state);
    const footer = `${connected ? '' : 'connection lost, reconnecting; '}${new Date(host.clock.now()).toISOString()}, Ctrl-C to stop\n`;
    // Home and clear, then the whole table: refreshes in place on any terminal.
    out(`\x1b[H\x1b[2J${renderFleetTable(rows(state), host.clock.now())}\n${footer}`);
  });
  return ExitCode.Ok;
};

async function fromHub(
  url: string,
  flags: Flags,
  deps: Pick<Parameters<CommandMain>[1], 'host' | 'out' | 'signal'>,
): Promise<number> {
  if (!/^https?:\/\//.test(url))
    throw new UsageError(`--hub ${url}: expected the hub service's http:// or https:// URL`);
  const read = async (name: string) => {
    const value = str(flags, name);
    if (value === undefined) return undefined;
    const data = await deps.host.fs.readBytes(resolve(process.cwd(), value));
    if (data === undefined) throw new UsageError(`--${name} ${value}: the file does not exist`);
    return data;
  };
  const ca = await read('ca');
  const token = (await read('token-file'))?.toString('utf8').trim();
  const sort: FleetSort = oneOf(flags, 'sort', FLEET_SORTS) ?? 'state';
  const filter: FleetFilter | undefined = oneOf(flags, 'state', FLEET_FILTERS);
  const rows = filterFleetRows(
    sortFleetRows(await readFleetFromHub({ url, ca, token, signal: deps.signal }), sort),
    filter,
  );
  deps.out(
    flags.json
      ? `${JSON.stringify(rows)}\n`
      : `${renderFleetTable(rows, deps.host.clock.now())}fleet: ${rows.length} devices from the hub service (complete)\n`,
  );
  await flushStdout();
  return ExitCode.Ok;
}

/**
 * Writes to a pipe are asynchronous and the caller exits right after the command returns: a
 * fleet of thousands of rows would be cut off mid-JSON. The callback of an empty write runs once
 * everything before it was handed to the pipe.
 */
function flushStdout(): Promise<void> {
  return new Promise((resolve) => process.stdout.write('', () => resolve()));
}
