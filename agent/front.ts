// The program's first file, bundled on its own as CommonJS (dist/edge-agent.cjs, what the launcher
// runs). It answers `--version` and the commonest command, `edge-agent status [--json]` while the
// daemon is up, without starting Node's ES module loader or loading a single chunk: as root the
// daemon gathers and formats, for anyone else it keeps a snapshot this formats. Everything else,
// and status whenever the daemon has no current answer, goes to the full CLI (cli.js), which
// behaves exactly as if run directly.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { StatusView } from './core/status/view.js';
import { answerFromSnapshot } from './commands/status/snapshot.js';
import { DAEMON_FAST_ANSWER_MS, STATUS_SOCKET_PATH, askDaemonStatus, type StatusAnswer } from './host/status-socket.js';
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
  const root = process.getuid?.() === 0;
  // Root with TZ set: times must be formatted in the caller's zone, which the daemon cannot do;
  // the full path asks it for the JSON and formats that.
  if (
    argv[0] === 'status' &&
    (argv.length === 1 || json) &&
    env.EDGE_AGENT_STATUS_DAEMON !== '0' &&
    !(root && env.TZ !== undefined)
  ) {
    const answer = await answerStatus(json, root, env);
    if (answer) {
      process.exitCode = answer.exitCode;
      process.stdout.write(answer.output);
      return;
    }
    // Just asked: the full path gathers in this process rather than ask the daemon again.
    env.EDGE_AGENT_STATUS_DAEMON = '0';
  }
  await import(pathToFileURL(join(__dirname, 'cli.js')).href);
}

void front(process.argv.slice(2), process.env);

/**
 * Root asks the daemon on its socket (a busy or declining daemon then means gathering afresh);
 * anyone else reads the snapshot it keeps for them.
 */
async function answerStatus(json: boolean, root: boolean, env: NodeJS.ProcessEnv): Promise<StatusAnswer | undefined> {
  const terminal = terminalView(env);
  const view: StatusView = { format: json ? 'json' : 'text', width: terminal.width, color: terminal.color };
  const top = env.EDGE_AGENT_ROOT || '/';
  if (root) return askDaemonStatus(join(top, STATUS_SOCKET_PATH), view, { timeoutMs: DAEMON_FAST_ANSWER_MS });
  const read = async (path: string) => {
    try {
      return readFileSync(join(top, path), 'utf8');
    } catch {
      return undefined;
    }
  };
  return answerFromSnapshot(read, view, Date.now());
}
