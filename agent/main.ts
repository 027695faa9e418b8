// The composition root: build the one Host (every adapter, the costly ones on first use), load
// the config, create the logger, run one command, close what it opened, map its outcome to an
// exit code. Short and boring on purpose.
import { displayText } from './core/terminal-text.js';
import { describeError, ConfigError, formatConfigProblem } from './errors.js';
import { ExitCode } from './exit-codes.js';
import { createHost, type HostSettings } from './host/host.js';
import type { Logger } from './host/log.js';
import type { Config } from './config/schema.js';
import type { CommandSpec, Invocation } from './commands/types.js';
import type { ConfigFallbackFacts } from './commands/check/config-fallback.js';

export async function runCommand(spec: CommandSpec, invocation: Invocation): Promise<never> {
  let settings: HostSettings | undefined;
  // A dry run must not change the host even through a bug: the adapters refuse reboots,
  // rollbacks and stopping services themselves.
  const host = createHost({ settings: () => settings, safe: invocation.flags['dry-run'] === true });
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    // A second signal means "now": do not wait for clean-up.
    if (controller.signal.aborted) process.exit(ExitCode.Terminated);
    controller.abort(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  const createLogger = async (level: string | undefined, levelFrom: string): Promise<Logger> =>
    (await import('./host/log.js')).createLogger({ level, levelFrom });
  let log = await createLogger(host.env.EDGE_AGENT_LOG_LEVEL, 'EDGE_AGENT_LOG_LEVEL');
  const deadline = spec.deadline?.(invocation)
    ? (await import('./host/deadline.js')).armProcessDeadline({
        log: () => log,
        exit: (code) => process.exit(code),
        env: host.env,
      })
    : undefined;
  deadline?.enter('loading the configuration');
  try {
    let config: Config | undefined;
    let configFallback: ConfigFallbackFacts | undefined;
    if (spec.needsConfig) {
      // Loaded only by commands that need it: the schema and YAML parser cost a light command
      // such as `status` more than its whole run.
      const { loadConfig, defaultConfigPath } = await import('./config/load.js');
      const loaded = await loadConfig(host.fs, { salvage: spec.configFallback });
      for (const warning of loaded.warnings) log.warn(formatConfigProblem(warning));
      if (loaded.config) config = loaded.config;
      else if (loaded.fallback) {
        // A typo must not make every boot red: the boot checks run on what can be salvaged.
        const { describeFallback } = await import('./config/fallback.js');
        for (const problem of loaded.errors) log.error(formatConfigProblem(problem));
        log.error(describeFallback(defaultConfigPath, loaded.fallback));
        config = loaded.fallback.config;
        configFallback = {
          file: defaultConfigPath,
          problems: loaded.errors,
          dropped: loaded.fallback.dropped,
          declaredChecks: loaded.fallback.declaredChecks,
        };
      } else throw new ConfigError(loaded.errors);
      if (!host.env.EDGE_AGENT_LOG_LEVEL) log = await createLogger(config.log.level, 'log.level');
      settings = { kubeconfig: config.microshift.kubeconfig, bootsDir: config.boots.dir, warn: (m) => log.warn(m) };
    }
    const { main } = await spec.load();
    const code = await main(invocation, {
      host,
      config: config as Config,
      ...(configFallback && { configFallback }),
      log,
      signal: controller.signal,
      out: (text) => process.stdout.write(text),
      exit: (exitCode) => process.exit(exitCode),
      deadline,
    });
    await host.close();
    await flush(log);
    process.exit(controller.signal.aborted && code !== ExitCode.Ok ? ExitCode.Terminated : code);
  } catch (error) {
    const { exitCode, line } = describeError(error);
    await host.close();
    await flush(log);
    // Messages quote flags, files and remote answers: shown with controls escaped, passwords hidden.
    process.stderr.write(`edge-agent ${spec.name}: ${displayText(line, { newlines: true })}\n`);
    if (exitCode === ExitCode.Internal && host.env.EDGE_AGENT_DEBUG)
      process.stderr.write(`${(error as Error).stack}\n`);
    process.exit(exitCode);
  }
}

function flush(log: Logger): Promise<void> {
  return new Promise((resolve) => log.flush(() => resolve()));
}
