// `edge-agent status` answered by the running daemon. The daemon has its D-Bus connection open and
// its code compiled, so it gathers the same facts in a few milliseconds, while a new process
// spends most of its time loading code. The answer is gathered fresh for each request (never a
// cached copy), by the same probes, buildStatus and formatting as a status run on its own.
//
// The socket sits in a root-only directory: what the daemon can read as root, it tells only root.
// Anyone else (and anyone when the daemon is not running) gets status gathered in its own process,
// with "needs root" where that applies.
//
// Protocol: the client sends one line, a JSON StatusView (how to format); the daemon answers with
// one JSON object { schema, exitCode, output } and closes. A daemon that declines (its facts would
// be stale) closes without an answer.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { chmod, mkdir, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { STATUS_SCHEMA_VERSION } from '../core/status/enums.js';
import { parseStatusView, type StatusView } from '../core/status/view.js';

export const STATUS_SOCKET_PATH = '/run/edge-agent/private/status.sock';
/** The daemon answers in milliseconds; one that has not by then is busy or stalled. */
export const DAEMON_FAST_ANSWER_MS = 250;
/** A connection that has not been answered by then is closed (the answer is bounded well below). */
const ANSWER_LIMIT_MS = 5000;
/** Clients served at once; more are turned away (and gather the status themselves). */
const MAX_CLIENTS = 8;
/** A request is one short line; anything longer is not one of ours. */
const MAX_REQUEST_BYTES = 1024;

export interface StatusAnswer {
  exitCode: number;
  output: string;
}

export interface StatusServer {
  close(): Promise<void>;
}

/**
 * Listen on `path` (a real path: the caller resolves EDGE_AGENT_ROOT). Requests for the same view
 * made while one is being answered share the answer: several `status --watch` cost one gathering.
 */
export async function serveStatus(
  path: string,
  answer: (view: StatusView) => Promise<StatusAnswer | undefined>,
  warn: (message: string) => void,
): Promise<StatusServer> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  // mkdir keeps an existing directory's mode: make sure it is root's alone.
  await chmod(dirname(path), 0o700);
  await unlink(path).catch(() => undefined);
  const pending = new Map<string, Promise<string>>();
  const respond = (view: StatusView) => {
    const key = JSON.stringify(view);
    let reply = pending.get(key);
    if (!reply) {
      reply = answer(view)
        .then((a) =>
          a ? JSON.stringify({ schema: STATUS_SCHEMA_VERSION, exitCode: a.exitCode, output: a.output }) : '',
        )
        .finally(() => pending.delete(key));
      pending.set(key, reply);
    }
    return reply;
  };
  const clients = new Set<Socket>();
  const server: Server = createServer((socket) => {
    if (clients.size >= MAX_CLIENTS) return void socket.destroy();
    clients.add(socket);
    socket.on('close', () => clients.delete(socket));
    socket.on('error', () => undefined);
    socket.setTimeout(ANSWER_LIMIT_MS, () => socket.destroy());
    let request = '';
    const onData = (chunk: Buffer) => {
      request += chunk.toString('utf8');
      const end = request.indexOf('\n');
      if (end < 0) return void (request.length > MAX_REQUEST_BYTES && socket.destroy());
      socket.off('data', onData);
      const view = parseRequest(request.slice(0, end));
      if (!view) return void socket.destroy();
      respond(view).then(
        (text) => socket.end(text),
        (error: unknown) => {
          warn(`status socket: ${(error as Error).message}`);
          socket.destroy();
        },
      );
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => warn(`status socket: ${error.message}`));
  return {
    async close() {
      for (const socket of clients) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await unlink(path).catch(() => undefined);
    },
  };
}

function parseRequest(line: string): StatusView | undefined {
  try {
    return parseStatusView(JSON.parse(line));
  } catch {
    return undefined;
  }
}

/**
 * The daemon's answer, or undefined when there is none to have: no daemon, no permission, a
 * daemon of another status schema, a declined request, or no answer within `timeoutMs` / before
 * `signal`.
 */
export function askDaemonStatus(
  path: string,
  view: StatusView,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<StatusAnswer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = createConnection(path);
    const done = (answer: StatusAnswer | undefined) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', abort);
      socket.destroy();
      resolve(answer);
    };
    const abort = () => done(undefined);
    const timer = setTimeout(abort, options.timeoutMs);
    options.signal?.addEventListener('abort', abort, { once: true });
    socket.on('connect', () => socket.write(`${JSON.stringify(view)}\n`));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', abort);
    socket.on('end', () => done(parseAnswer(Buffer.concat(chunks).toString('utf8'))));
  });
}

function parseAnswer(text: string): StatusAnswer | undefined {
  try {
    const data = JSON.parse(text) as { schema?: unknown; exitCode?: unknown; output?: unknown } | null;
    // The daemon is the same package as this command except between an upgrade and its restart.
    return data &&
      data.schema === STATUS_SCHEMA_VERSION &&
      typeof data.exitCode === 'number' &&
      typeof data.output === 'string'
      ? { exitCode: data.exitCode, output: data.output }
      : undefined;
  } catch {
    return undefined;
  }
}
