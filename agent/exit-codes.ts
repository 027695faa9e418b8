// Every exit code edge-agent uses, in one table. Greenboot reads only 0 and non-zero; scripts and
// operators read the rest. Codes above 63 follow sysexits.h so they never collide with the
// command-specific results (0-3).
export const ExitCode = {
  /** check: every check passed; status: boot is green; wait: boot went green. */
  Ok: 0,
  /** check: a check failed (greenboot: this boot is red); status: red; wait: red; preflight: an item failed. */
  Failed: 1,
  /** status: checks still running; wait: timed out before a verdict; preflight: warnings, no failure. */
  Pending: 2,
  /** status: unknown or degraded (not an ostree system, records missing). */
  Unknown: 3,
  /** Wrong command line: unknown command or flag, bad value. */
  Usage: 64,
  /** Input data (a state file, an API answer) could not be used. */
  DataError: 65,
  /** A host capability the command needs is unavailable (D-Bus down, tool missing). */
  Unavailable: 69,
  /** A bug: an error nobody planned for. */
  Internal: 70,
  /** Writing state failed (disk full, read-only file system). */
  IoError: 74,
  /** The command needs root. */
  NoPermission: 77,
  /** Configuration is invalid (main config file, flag values that come from config). */
  Config: 78,
  /** Terminated by SIGTERM or SIGINT before finishing (128 + SIGTERM). */
  Terminated: 143,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** One line per code, for --help and the man page. */
export const exitCodeHelp: Record<ExitCode, string> = {
  [ExitCode.Ok]: 'success: checks passed / boot green',
  [ExitCode.Failed]: 'a check failed / boot red / a preflight item failed',
  [ExitCode.Pending]: 'status: checks still running; wait: timed out; preflight: warnings only',
  [ExitCode.Unknown]: 'status: unknown or degraded',
  [ExitCode.Usage]: 'usage error (unknown command, flag or value)',
  [ExitCode.DataError]: 'input data unusable (state file, tool output)',
  [ExitCode.Unavailable]: 'a host service or tool is unavailable',
  [ExitCode.Internal]: 'internal error (a bug: please report it)',
  [ExitCode.IoError]: 'could not write state (disk full, read-only)',
  [ExitCode.NoPermission]: 'needs root',
  [ExitCode.Config]: 'configuration error',
  [ExitCode.Terminated]: 'terminated by a signal before finishing',
};
