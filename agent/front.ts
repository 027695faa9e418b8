// The program's first file, bundled on its own as CommonJS (dist/edge-agent.cjs, what the launcher
// runs). It answers `--version` and the commonest command, `edge-agent status [--json]` run by
// root while the daemon is up, without starting Node's ES module loader or loading a single
// chunk: the daemon gathers and formats, this prints. Everything else, and status whenever the
// daemon does not answer at once, goes to the full CLI (cli.js), which behaves exactly as if run
// directly.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DAEMON_FAST_ANSWER_MS, STATUS_SOCKET_PATH, askDaemonStatus } from './host/status-socket.js';
import { terminalView } from './commands/status/terminal.js';
import { describeRuntime, runtimeInfo } from './core/runtime-kind.js';
import { version } from './version.js';

async function front(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    return void process.stdout.write(
      `edge-agent ${version}\nruntime: ${describeRuntime(runtimeInfo(process.execPath, process.version))}\n`,
    );
  }
  const json = argv.length === 2 && argv[1] === '--json';
  // TZ set: times must be formatted in the caller's zone, which the full path does.
  if (
    argv[0] === 'status' &&
    (argv.length === 1 || json) &&
    process.getuid?.() === 0 &&
    env.EDGE_AGENT_STATUS_DAEMON !== '0' &&
    env.TZ === undefined
  ) {
    const terminal = terminalView(env);
    const socket = join(env.EDGE_AGENT_ROOT || '/', STATUS_SOCKET_PATH);
    const answer = await askDaemonStatus(
      socket,
      { format: json ? 'json' : 'text', width: terminal.width, color: terminal.color },
      { timeoutMs: DAEMON_FAST_ANSWER_MS },
    );
    if (answer) {
      process.exitCode = answer.exitCode;
      process.stdout.write(answer.output);
      return;
    }
    // Just asked: the full path gathers in this process rather than wait for the daemon again.
    env.EDGE_AGENT_STATUS_DAEMON = '0';
  }
  await import(pathToFileURL(join(__dirname, 'cli.js')).href);
}

void front(process.argv.slice(2), process.env);
