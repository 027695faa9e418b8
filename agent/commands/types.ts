// What every subcommand receives and returns. Commands construct nothing themselves: the
// composition root (main.ts) hands them the host adapters, the config, the logger and a signal.
import type { ParseArgsConfig } from 'node:util';
import type { Config } from '../config/schema.js';
import type { ConfigFallbackFacts } from './check/config-fallback.js';
import type { Deadline } from '../core/deadline.js';
import type { Host } from '../host/host.js';
import type { Logger } from '../host/log.js';

export interface Deps {
  host: Host;
  /** Undefined only for commands that run without a valid config (config validate, --help). */
  config: Config;
  log: Logger;
  /** Aborted on SIGTERM/SIGINT. */
  signal: AbortSignal;
  /**
   * Set when the main config is broken and the command runs on a salvaged one instead (only
   * commands marked `configFallback` in cli.ts: the boot checks and verdicts).
   */
  configFallback?: ConfigFallbackFacts;
  /** Command output (stdout); logs go to the logger. */
  out: (text: string) => void;
  /** Ends the process at once (main.ts's process.exit); only a deadline that passed uses it. */
  exit?: (code: number) => void;
  /** The process-wide deadline main.ts armed for this run (see CommandSpec.deadline). */
  deadline?: Deadline;
}

export type Flags = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface Invocation {
  flags: Flags;
  positionals: string[];
}

export type CommandMain = (invocation: Invocation, deps: Deps) => Promise<number>;

type FlagSpec = NonNullable<ParseArgsConfig['options']>;

/** One row of the command table (cli.ts); main.ts runs it. */
export interface CommandSpec {
  /** e.g. 'check' or 'config validate'. */
  name: string;
  summary: string;
  usage: string;
  flags: FlagSpec;
  /** Names of the positional arguments it takes, in order (none when absent): more are refused. */
  positionals?: string[];
  /** Flag descriptions for --help, in order. */
  flagHelp: Record<string, string>;
  /** Needs a valid config (most commands); `config validate` reports problems itself. */
  needsConfig: boolean;
  /** With a broken main config, runs on what can be salvaged of it (config/fallback.ts). */
  configFallback?: boolean;
  /** A run greenboot waits for without a time limit: armed with a process-wide deadline from the start (config included). */
  deadline?: (invocation: { flags: Record<string, unknown> }) => boolean;
  load: () => Promise<{ main: CommandMain }>;
}
