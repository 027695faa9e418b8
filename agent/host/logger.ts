// The logger as commands see it: the few methods they call. pino's Logger fits this shape; so does
// the deferred logger of light commands (log-deferred.ts), which loads pino only when something is
// logged. Types only: importing this file loads nothing.
export interface LogFn {
  (message: string): void;
  (fields: object, message?: string): void;
}

export interface Logger {
  error: LogFn;
  warn: LogFn;
  info: LogFn;
  debug: LogFn;
  /** Calls back once what was logged so far has been written. */
  flush(callback?: (error?: Error) => void): void;
}
