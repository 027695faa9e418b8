// The logger as commands see it: the few methods they call (log.ts makes the real one; tests may
// pass any object of this shape). Types only: importing this file loads nothing.
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
