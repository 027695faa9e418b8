// What every subcommand receives and returns. Commands construct nothing themselves: the
// composition root (main.ts) hands them the host adapters, the config, the logger and a signal.
import type { Config } from '../config/schema.js';
import type { ConfigFallbackFacts } from '../host/checks/config-fallback.js';
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
