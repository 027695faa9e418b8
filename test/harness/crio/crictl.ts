// Entry point of the crictl stand-in (/usr/bin/crictl in a virtual device runs this bundle,
// build/harness/crictl-sim.mjs, with the host's node). Talks to the CRI-O stand-in's daemon.
//
// What it simulates: crictl 1.28-1.31 for what a pre-rollback cleanup and an operator use:
// `version`, `pods` (table, -q, -o json, --namespace/--name regexps, --state, --label, --id),
// `inspectp` (JSON with CRI-O's `info.pid`, or table), `ps` (-a, -q, -p POD, -o json, table),
// `inspect`, `stopp`, `rmp [-f] [-a]`, `images` (aliases `image`, `img`; table with --digests,
// --no-trunc, --pinned, -q, -o json; an image name argument as CRI-O resolves it, so
// `crictl image -q <ref>` prints the id or nothing, which MicroShift's check relies on); global -r/--runtime-endpoint, -t/--timeout (the deadline
// of each call, default 2s, as the real client applies it), -c/--config and /etc/crictl.yaml.
// Exit codes as the real tool's: 0 ok, 1 for every failure (logrus.Fatal), with the gRPC status
// in the message, e.g. `rpc error: code = NotFound desc = ...`; a failed call also leaves a klog
// `E...` line on stderr first, as the CRI client library does. Before any command the client
// checks the runtime answers (Version); when crio.service is down that fails with
// `validate service connection: ... connect: no such file or directory`. What it leaves out: every
// other command, YAML and go-template output, `images -v`, --filter, image pulls and removal,
// tracing and profiling flags.
import { readFileSync } from 'node:fs';
import { Fatal, parseCrictlConfig, parseDuration, parseFlags, UsageError, type FlagSpec } from './cli-args.js';
import { commands, type Runtime } from './crictl-commands.js';
import { logrusLine } from './format.js';
import { crioPaths } from './paths.js';
import { callCrio } from './protocol.js';

const globalSpec: FlagSpec = {
  'runtime-endpoint': { alias: 'r', kind: 'string' },
  'image-endpoint': { alias: 'i', kind: 'string' },
  timeout: { alias: 't', kind: 'string' },
  config: { alias: 'c', kind: 'string' },
  debug: { alias: 'D', kind: 'bool' },
  version: { alias: 'v', kind: 'bool' },
};

function readConfig(path: string): Record<string, string> | undefined {
  try {
    return parseCrictlConfig(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

async function main(argv: string[]): Promise<number> {
  const { flags, rest } = parseFlags(argv, globalSpec);
  if (flags.version) {
    process.stdout.write('crictl version v1.28.0 (edge-agent test harness stand-in)\n');
    return 0;
  }
  const config = readConfig(String(flags.config ?? process.env.CRI_CONFIG_FILE ?? crioPaths.crictlConfig)) ?? {};
  let endpoint = String(flags['runtime-endpoint'] ?? config['runtime-endpoint'] ?? '');
  if (!endpoint) {
    // No endpoint configured: the real client warns and tries its defaults in turn; CRI-O's is
    // the one that can answer here.
    process.stderr.write(
      logrusLine(
        'warning',
        'runtime connect using default endpoints: [unix:///run/containerd/containerd.sock unix:///run/crio/crio.sock unix:///var/run/cri-dockerd.sock]. As the default settings are now deprecated, you should set the endpoint instead.',
      ),
    );
    endpoint = 'unix:///run/crio/crio.sock';
  }
  const configTimeout = Number(config.timeout ?? 0) > 0 ? `${config.timeout}s` : undefined;
  const timeoutText = String(flags.timeout ?? configTimeout ?? '2s');
  const timeoutMs = parseDuration(timeoutText) || 2000;
  const [name, ...args] = rest;
  if (!name) {
    process.stdout.write(
      'NAME:\n   crictl - client for CRI\n\nUSAGE:\n   crictl [global options] command [command options]\n',
    );
    return 0;
  }
  const command = commands[name];
  if (!command) throw new Fatal(`No help topic for '${name}'`);
  const runtime: Runtime = { endpoint, socket: endpoint.replace(/^unix:\/\//, ''), timeoutMs };
  const connect = async () => {
    try {
      await callCrio(runtime.socket, 'Version', { version: 'v1' }, timeoutMs);
    } catch (error) {
      throw new Fatal(
        `validate service connection: validate CRI v1 runtime API for endpoint "${endpoint}": ${(error as Error).message}`,
      );
    }
  };
  return command(args, runtime, connect);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message =
      error instanceof Fatal || error instanceof UsageError
        ? error.message
        : `internal error of the crictl stand-in: ${String(error)}`;
    process.stderr.write(logrusLine('fatal', message));
    process.exitCode = 1;
  },
);
