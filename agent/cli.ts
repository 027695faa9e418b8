#!/usr/bin/env node
// Entry point: the command table and argument parsing. Each command's module is imported only
// when that command runs, so `--help`, `--version` and `status` stay light.
import { parseArgs } from 'node:util';
import { clipEcho } from './errors.js';
import { ExitCode, exitCodeHelp } from './exit-codes.js';
import { describeRuntime, runtimeInfo } from './core/runtime-kind.js';
import { version } from './version.js';
import type { CommandSpec } from './commands/types.js';

const json = { json: { type: 'boolean' } } as const;

export const commands: CommandSpec[] = [
  {
    name: 'status',
    summary: 'the one-screen truth about this device: deployments, boot verdict, checks, MicroShift, hub',
    usage:
      'edge-agent status [--json] [--watch [--interval SEC]]\n\nExit codes: 0 green, 1 red, 2 checking, 3 unknown or degraded (e.g. not an ostree system, records missing)',
    flags: { watch: { type: 'boolean', short: 'w' }, interval: { type: 'string' }, ...json },
    flagHelp: {
      json: 'print the status object as JSON (schema: packaging/schemas/status.schema.json)',
      watch: 'refresh in place until interrupted; with --json one JSON object per line',
      interval: 'seconds between refreshes with --watch (default 2)',
    },
    needsConfig: false,
    load: () => import('./commands/status/status.js'),
  },
  {
    name: 'fleet',
    summary: 'hub-side view of all devices from the MQTT broker (one row each, problems first)',
    usage:
      'edge-agent fleet --hub URL [--ca FILE] [--token-file FILE] | --broker URL [--ca FILE] [--cert FILE] [--key FILE] [--prefix edge/v1] [--max-wait SEC] [--watch] [--json] [--sort state|id|seen] [--state online|offline|green|red|checking|unknown|problem|dropped]\n\nExit code 2: the broker collection was cut short by the time cap (the list is incomplete)',
    flags: {
      hub: { type: 'string' },
      'token-file': { type: 'string' },
      'max-wait': { type: 'string' },
      broker: { type: 'string' },
      ca: { type: 'string' },
      cert: { type: 'string' },
      key: { type: 'string' },
      prefix: { type: 'string' },
      watch: { type: 'boolean' },
      sort: { type: 'string' },
      state: { type: 'string' },
      'allow-insecure': { type: 'boolean' },
      ...json,
    },
    flagHelp: {
      hub: 'the hub service URL (edge-agent hub), e.g. http://127.0.0.1:8787: a complete list however large the fleet',
      'token-file': 'with --hub: file holding the bearer token of an exposed hub service',
      'max-wait': 'with --broker: stop collecting after SEC seconds (default 5); a cut-short list exits 2',
      broker: 'broker URL, e.g. mqtts://hub.example.com:8883',
      ca: 'PEM file of the CA that signs the broker certificate (default: system trust store)',
      cert: 'PEM client certificate of a reader allowed to read <prefix>/# (e.g. CN fleet-reader)',
      key: 'PEM private key of --cert (must not be readable by group or others)',
      prefix: 'topic prefix the devices publish under (default edge/v1)',
      watch: 'keep the view current until interrupted',
      sort: 'state: problems first (default); id: by device id; seen: longest silent first',
      state: 'only devices that are online, offline, green, red, checking, unknown, have a problem or dropped events',
      'allow-insecure': 'allow a plain mqtt:// broker URL (test setups only)',
      json: 'print the rows as JSON',
    },
    needsConfig: false,
    load: () => import('./commands/fleet/fleet.js'),
  },
  {
    name: 'hub',
    summary:
      "the fleet hub service: consumes the broker, keeps every device's state and history, serves the dashboard and JSON API (Node 22+)",
    usage: 'edge-agent hub [--config /etc/edge-agent/hub.yaml] [--check]',
    flags: { config: { type: 'string' }, check: { type: 'boolean' } },
    flagHelp: {
      config: 'the hub service config (default /etc/edge-agent/hub.yaml; see packaging/docs/hub.md)',
      check: 'validate the config and exit',
    },
    needsConfig: false,
    load: () => import('./commands/hub/hub.js'),
  },
  {
    name: 'journal persist',
    summary: 'make the journal persistent so logs of failed boots survive a rollback',
    usage: 'edge-agent journal persist [--system-max-use SIZE] [--runtime-max-use SIZE] [--json]',
    flags: { 'system-max-use': { type: 'string' }, 'runtime-max-use': { type: 'string' }, ...json },
    flagHelp: {
      'system-max-use': 'SystemMaxUse= for the journal on disk, e.g. 512M or 1G (default: journal.systemMaxUse, 1G)',
      'runtime-max-use': 'RuntimeMaxUse= for the journal in /run (default: journal.runtimeMaxUse, 1G)',
      json: 'print the result object as JSON',
    },
    needsConfig: true,
    load: async () => ({ main: (await import('./commands/journal/journal.js')).persist }),
  },
  {
    name: 'journal status',
    summary: 'where the journal is kept, its size, and whether earlier boots can be read',
    usage: 'edge-agent journal status [--json]',
    flags: { ...json },
    flagHelp: { json: 'print the status object as JSON' },
    needsConfig: true,
    load: async () => ({ main: (await import('./commands/journal/journal.js')).status }),
  },
  {
    name: 'gate add',
    summary: 'hold a unit until the boot is declared good (Requires/After boot-complete.target)',
    usage: 'edge-agent gate add UNIT [--json]',
    flags: { ...json },
    positionals: ['UNIT'],
    flagHelp: { json: 'print the result object as JSON' },
    needsConfig: true,
    load: async () => ({ main: (await import('./commands/gate/gate.js')).add }),
  },
  {
    name: 'gate remove',
    summary: 'remove the gate of a unit',
    usage: 'edge-agent gate remove UNIT [--json]',
    flags: { ...json },
    positionals: ['UNIT'],
    flagHelp: { json: 'print the result object as JSON' },
    needsConfig: true,
    load: async () => ({ main: (await import('./commands/gate/gate.js')).remove }),
  },
  {
    name: 'gate list',
    summary: 'units held until the boot is declared good',
    usage: 'edge-agent gate list [--json]',
    flags: { ...json },
    flagHelp: { json: 'print the gated units as JSON' },
    needsConfig: true,
    load: async () => ({ main: (await import('./commands/gate/gate.js')).list }),
  },
  {
    name: 'wait',
    summary: 'wait until this boot is declared good: exit 0 green, 1 red, 2 timed out',
    usage: 'edge-agent wait --green [--timeout SEC] [--json]',
    flags: { green: { type: 'boolean' }, timeout: { type: 'string' }, ...json },
    flagHelp: {
      green: 'wait for the verdict of this boot (required)',
      timeout: 'give up after SEC seconds with exit 2 (default: wait forever; 0: check once)',
      json: 'print the result object as JSON',
    },
    needsConfig: true,
    load: () => import('./commands/wait/wait.js'),
  },
  {
    name: 'check',
    summary: 'run the boot health checks (greenboot required.d / wanted.d call this)',
    usage: 'edge-agent check [--class required|wanted] [--dry-run [--timeout SEC]] [--json]',
    flags: { class: { type: 'string' }, 'dry-run': { type: 'boolean' }, timeout: { type: 'string' }, ...json },
    flagHelp: {
      class: 'only the required (exit 1 fails the boot) or the wanted checks (failures are only reported)',
      'dry-run': 'run the checks now without recording a boot verdict',
      timeout: 'with --dry-run: stop waiting after SEC seconds (undecided checks count as timeouts)',
      json: 'print the result object as JSON',
    },
    needsConfig: true,
    configFallback: true,
    deadline: ({ flags }) => flags.class === 'required' && !flags['dry-run'],
    load: () => import('./commands/check/check.js'),
  },
  {
    name: 'boot',
    summary: 'record this boot as green or red (greenboot green.d / red.d call this); prepare the rollback',
    usage: 'edge-agent boot green|red',
    flags: {},
    positionals: ['green|red'],
    flagHelp: {},
    needsConfig: true,
    configFallback: true,
    load: () => import('./commands/boot/boot.js'),
  },
  {
    name: 'history',
    summary: 'boots and rollbacks, newest first, with reasons',
    usage: 'edge-agent history [--json] [-n N]',
    flags: { n: { type: 'string', short: 'n' }, ...json },
    flagHelp: { n: 'show the newest N entries (default 20)', json: 'print the entries as JSON' },
    needsConfig: true,
    load: () => import('./commands/history/history.js'),
  },
  {
    name: 'preflight',
    summary: 'whether this device can take an update safely: each item pass, warn or fail with the reason',
    usage:
      'edge-agent preflight [--json] [--offline | --online]\n\nExit codes: 0 every item passed, 1 an item failed, 2 warnings only',
    flags: { offline: { type: 'boolean' }, online: { type: 'boolean' }, ...json },
    flagHelp: {
      offline:
        'treat the device as having no registry access: a missing release image fails (default: detected from registry mirrors in /etc/containers)',
      online: 'treat the registry as reachable: missing release images would be pulled',
      json: 'print the result as JSON (schema: packaging/schemas/preflight.schema.json)',
    },
    needsConfig: true,
    load: () => import('./commands/preflight/preflight.js'),
  },
  {
    name: 'run',
    summary: 'the daemon (edge-agent.service): reports to the hub, keeps status and MOTD current',
    usage: 'edge-agent run',
    flags: {},
    flagHelp: {},
    needsConfig: true,
    load: () => import('./commands/run/run.js'),
  },
  {
    name: 'support-bundle',
    summary: 'one archive for whoever helps: records, journals, tool outputs, redacted config (0600 in /var/tmp)',
    usage:
      'edge-agent support-bundle [--upload [--chunk-kb N]] [--sos] [--boots N] [--lines N] [--max-mb N] [--max-sec N] [--json]\n\nExit codes: 0 bundle written (and uploaded); 64 bad flag; 69 upload failed (the bundle is kept, its path printed); 74 /var/tmp not writable; 78 --upload without hubService in config',
    flags: {
      upload: { type: 'boolean' },
      'chunk-kb': { type: 'string' },
      sos: { type: 'boolean' },
      boots: { type: 'string' },
      lines: { type: 'string' },
      'max-mb': { type: 'string' },
      'max-sec': { type: 'string' },
      ...json,
    },
    flagHelp: {
      upload: 'send the bundle to the hub service (hubService in config): chunked, resumed after a dropped connection',
      'chunk-kb': 'with --upload: chunk size in KiB (default 1024; smaller for slow links)',
      sos: 'also run microshift-sos-report (or sos report --batch) when installed and name its archive',
      boots: 'journal of this many boots, this one included (default 3)',
      lines: 'newest journal lines per unit group and boot (default 5000)',
      'max-mb': 'cap of the bundle before compression in MiB; items over it are cut with a marker (default 50)',
      'max-sec': 'cap of the whole run in seconds (default 120); each item also has its own limit',
      json: 'print the result (path, sha256, items) as JSON',
    },
    // A broken config is part of what the bundle reports: it loads the config itself.
    needsConfig: false,
    load: () => import('./commands/support-bundle/command.js'),
  },
  {
    name: 'config validate',
    summary: 'check /etc/edge-agent/ and print precise errors',
    usage: 'edge-agent config validate [--json]',
    flags: { ...json },
    flagHelp: { json: 'print problems as JSON' },
    needsConfig: false,
    load: () => import('./commands/config-validate/config-validate.js'),
  },
];

export function renderHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = [
    `edge-agent ${version}: boot health, rollback safety and fleet reporting for RHEL for Edge with MicroShift`,
    '',
    'Usage: edge-agent <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    '  -h, --help     show help (also: edge-agent <command> --help)',
    '  -V, --version  print the version',
    '  --completion bash|zsh|fish  print a shell completion script (the RPM installs them)',
    '',
    'Exit codes:',
    ...Object.entries(exitCodeHelp).map(([code, text]) => `  ${code.padStart(3)}  ${text}`),
    '',
    'Files: /etc/edge-agent/config.yaml, /etc/edge-agent/config.d/*.yaml, /var/lib/edge-agent/',
  ];
  return `${lines.join('\n')}\n`;
}

export function renderCommandHelp(spec: CommandSpec): string {
  const flags = Object.entries(spec.flagHelp).map(([flag, text]) => `  --${flag.padEnd(18)} ${text}`);
  return `Usage: ${spec.usage}\n\n${spec.summary}\n${flags.length ? `\nOptions:\n${flags.join('\n')}\n` : ''}`;
}

/** Find the longest command name that prefixes argv (commands have one or two words). */
export function findCommand(argv: string[]): { spec: CommandSpec; rest: string[] } | undefined {
  for (const words of [2, 1]) {
    const name = argv.slice(0, words).join(' ');
    const spec = commands.find((c) => c.name === name);
    if (spec) return { spec, rest: argv.slice(words) };
  }
  return undefined;
}

/** Why the positional arguments are refused, or undefined: a stray word must not pass silently. */
export function unexpectedPositionals(spec: CommandSpec, positionals: string[]): string | undefined {
  const names = spec.positionals ?? [];
  if (positionals.length <= names.length) return undefined;
  const takes = names.length ? `takes only ${names.join(' ')}` : 'takes no arguments';
  return clipEcho(`unexpected argument '${positionals[names.length]}': ${spec.name} ${takes}`);
}

async function cli(argv: string[]): Promise<void> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(renderHelp());
    process.exit(argv.length === 0 ? ExitCode.Usage : ExitCode.Ok);
  }
  if (argv[0] === '--version' || argv[0] === '-V') {
    process.stdout.write(
      `edge-agent ${version}\nruntime: ${describeRuntime(runtimeInfo(process.execPath, process.version))}\n`,
    );
    process.exit(ExitCode.Ok);
  }
  if (argv[0] === '--completion') {
    // Made from the table above, so completion and --help never disagree.
    const { completionScript, COMPLETION_SHELLS } = await import('./core/completion.js');
    const shell = COMPLETION_SHELLS.find((s) => s === argv[1]);
    if (!shell) {
      process.stderr.write(
        `edge-agent --completion: expected one of ${COMPLETION_SHELLS.join(', ')}${argv[1] ? `, got '${argv[1]}'` : ''}\n`,
      );
      process.exit(ExitCode.Usage);
    }
    process.stdout.write(completionScript(shell, commands));
    process.exit(ExitCode.Ok);
  }
  const found = findCommand(argv);
  if (!found) {
    process.stderr.write(
      `edge-agent: ${clipEcho(`unknown command '${argv.slice(0, 2).join(' ')}'`)} (see edge-agent --help)\n`,
    );
    process.exit(ExitCode.Usage);
  }
  const { spec, rest } = found;
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(renderCommandHelp(spec));
    process.exit(ExitCode.Ok);
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: spec.flags, allowPositionals: true, strict: true });
  } catch (error) {
    process.stderr.write(
      `edge-agent ${spec.name}: ${clipEcho((error as Error).message)} (see edge-agent ${spec.name} --help)\n`,
    );
    process.exit(ExitCode.Usage);
  }
  const extra = unexpectedPositionals(spec, parsed.positionals);
  if (extra) {
    process.stderr.write(`edge-agent ${spec.name}: ${extra} (see edge-agent ${spec.name} --help)\n`);
    process.exit(ExitCode.Usage);
  }
  const { runCommand } = await import('./main.js');
  await runCommand(spec, { flags: parsed.values, positionals: parsed.positionals });
}

await cli(process.argv.slice(2));
