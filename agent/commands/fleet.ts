// `edge-agent fleet`: the hub-side view of every device under a topic prefix, from the retained
// status and online messages on the broker. One row per device, problems first. Runs anywhere
// that can reach the broker (it needs no device config), with a reader certificate.
import { resolve } from 'node:path';
import { FLEET_FILTERS, FLEET_SORTS, filterFleetRows, fleetRows, renderFleetTable, sortFleetRows, type FleetFilter, type FleetSort, type FleetState } from '../core/hub-fleet.js';
import { displayJson } from '../core/terminal-text.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { checkBrokerUrl, readTlsMaterial } from '../hub/hub-config.js';
import { readFleet, watchFleet } from '../hub/fleet-reader.js';
import type { CommandMain, Flags } from './types.js';

const str = (flags: Flags, name: string) => (typeof flags[name] === 'string' ? (flags[name] as string) : undefined);

function oneOf<T extends string>(flags: Flags, name: string, allowed: readonly T[]): T | undefined {
  const value = str(flags, name);
  if (value === undefined || allowed.includes(value as T)) return value as T | undefined;
  throw new UsageError(`--${name} ${value}: expected one of ${allowed.join(', ')}`);
}

export const main: CommandMain = async ({ flags }, { host, out, signal }) => {
  const broker = str(flags, 'broker');
  if (!broker) throw new UsageError('--broker URL is required (for example mqtts://hub.example.com:8883)');
  const prefix = (str(flags, 'prefix') ?? 'edge/v1').replace(/\/+$/, '');
  if (!/^[^/+#\s]+(\/[^/+#\s]+)*$/.test(prefix)) throw new UsageError(`--prefix ${prefix}: expected topic levels without wildcards, for example edge/v1`);
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
  const print = (state: FleetState) => out(flags.json ? `${displayJson(rows(state))}\n` : renderFleetTable(rows(state), host.clock.now()));

  if (!flags.watch) {
    print(await readFleet(reader));
    return ExitCode.Ok;
  }
  await watchFleet(reader, (state, connected) => {
    if (flags.json) return print(state);
    const footer = `${connected ? '' : 'connection lost, reconnecting; '}${new Date(host.clock.now()).toISOString()}, Ctrl-C to stop\n`;
    // Home and clear, then the whole table: refreshes in place on any terminal.
    out(`\x1b[H\x1b[2J${renderFleetTable(rows(state), host.clock.now())}\n${footer}`);
  });
  return ExitCode.Ok;
};
