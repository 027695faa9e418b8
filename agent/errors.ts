// The few error classes edge-agent throws. Each carries a machine code (stable, for records and
// hub events) and the exit code it maps to. Whether an error is worth retrying comes from its
// class, never from matching text.
import { ExitCode } from './exit-codes.js';

export abstract class AgentError extends Error {
  abstract readonly exitCode: ExitCode;
  readonly retryable: boolean = false;
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The command line is wrong. Echoed arguments are clipped and made printable (see clipEcho). */
export class UsageError extends AgentError {
  readonly exitCode = ExitCode.Usage;
  constructor(message: string) {
    super('usage', clipEcho(message));
  }
}

const ECHO_MAX = 80;

/** A value as it may be echoed back: at most 80 characters, then "..." and the full length. */
export function clipValue(text: string, max = ECHO_MAX): string {
  return text.length > max ? `${text.slice(0, max)}... (${text.length} characters)` : text;
}

/**
 * A message that quotes what someone typed: every run of more than 80 non-blank characters is
 * clipped (a 100 KB flag value must not come back whole) and control characters are shown as
 * \xNN (an argument must not drive the terminal).
 */
export function clipEcho(message: string): string {
  const printable = message.replace(/(?!\n)\p{Cc}/gu, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return printable.replace(new RegExp(`\\S{${ECHO_MAX + 1},}`, 'g'), (word) => clipValue(word));
}

/** One problem in a configuration file: which file, which key, what was there, what was expected. */
export interface ConfigProblem {
  file: string;
  path: string;
  message: string;
  value?: unknown;
  expected?: string;
}

/** Configuration is invalid. The message lists each problem on its own line. */
export class ConfigError extends AgentError {
  readonly exitCode = ExitCode.Config;
  constructor(readonly problems: ConfigProblem[]) {
    super('config-invalid', problems.map(formatConfigProblem).join('\n'));
  }
}

export function formatConfigProblem(problem: ConfigProblem): string {
  const where = problem.path ? `${problem.file}: ${problem.path}` : problem.file;
  const got =
    problem.value === undefined ? '' : ` (got ${clipValue(JSON.stringify(problem.value) ?? String(problem.value))})`;
  const expected = problem.expected ? `; expected ${problem.expected}` : '';
  return `${where}: ${problem.message}${got}${expected}`;
}

/** A host capability failed: a tool, D-Bus, the Kubernetes API. Transient ones may be retried. */
export class HostError extends AgentError {
  readonly exitCode = ExitCode.Unavailable;
  override readonly retryable: boolean;
  constructor(code: string, message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(code, message, options);
    this.retryable = options.retryable ?? false;
  }
}

/** Something on the host did not answer in time. Recognised by its class, never by its text. */
export class TimeoutError extends HostError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('timeout', message, { ...options, retryable: true });
  }
}

/** Data from the host or a state file could not be understood. */
export class DataError extends AgentError {
  readonly exitCode = ExitCode.DataError;
}

/** A path that must be a regular file is a directory, FIFO, socket or device: never read. */
export class NotRegularFileError extends DataError {
  constructor(
    readonly path: string,
    /** e.g. 'a directory', 'a FIFO (named pipe)'. */
    readonly kind: string,
  ) {
    super('not-a-regular-file', `${path} is ${kind}, expected a regular file`);
  }
}

/** Writing state failed. Nothing half-written is left behind by our atomic writes. */
export class StateWriteError extends AgentError {
  readonly exitCode = ExitCode.IoError;
}

/** The command needs privileges it does not have. */
export class PermissionError extends AgentError {
  readonly exitCode = ExitCode.NoPermission;
}

/** Map anything thrown to an exit code and a one-line reason. Unknown errors are bugs. */
export function describeError(error: unknown): { exitCode: ExitCode; line: string } {
  if (error instanceof AgentError) return { exitCode: error.exitCode, line: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { exitCode: ExitCode.Internal, line: `internal error: ${message}` };
}
