// A logger for light commands (`status`): pino and its helpers are ~150 KB of JavaScript, a tenth
// of a cold start, and status usually logs nothing. Records are queued until pino is loaded (on
// the first record) and then written in order; flush() waits for that.
import type { LogFn, Logger } from './logger.js';

type Level = 'error' | 'warn' | 'info' | 'debug';
type Args = [string] | [object, string?];

export function createDeferredLogger(
  load: () => Promise<Logger>,
  fallback: (line: string) => void = (line) => process.stderr.write(line),
): Logger {
  let real: Logger | undefined;
  let loading: Promise<Logger | undefined> | undefined;
  const queue: Array<[Level, Args]> = [];
  const start = () =>
    (loading ??= load().then(
      (logger) => {
        real = logger;
        for (const [level, args] of queue.splice(0)) (logger[level] as (...a: Args) => void)(...args);
        return logger;
      },
      (error: unknown) => {
        // Without pino the records still reach stderr, plainly, rather than vanish.
        for (const [level, args] of queue.splice(0))
          fallback(`${level}: ${typeof args[0] === 'string' ? args[0] : (args[1] ?? '')}\n`);
        fallback(`warning: logger unavailable: ${(error as Error).message}\n`);
        return undefined;
      },
    ));
  const method =
    (level: Level): LogFn =>
    (...args: Args) => {
      if (real) return (real[level] as (...a: Args) => void)(...args);
      queue.push([level, args]);
      void start();
    };
  return {
    error: method('error'),
    warn: method('warn'),
    info: method('info'),
    debug: method('debug'),
    flush(callback) {
      if (!loading) return callback?.();
      void loading.then((logger) => (logger ? logger.flush(callback) : callback?.()));
    },
  };
}
