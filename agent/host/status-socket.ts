// `edge-agent status` answered by the running daemon. The daemon has its D-Bus connection open and
// its code compiled, so it gathers the same facts in a few milliseconds, while a new process
// spends most of its time loading code. The answer is gathered fresh for each connection (never a
// cached copy), by the same probes and the same buildStatus as a status run on its own.
//
// The socket sits in a root-only directory: what the daemon can read as root, it tells only root.
// Anyone else (and anyone when the daemon is not running) gets status gathered in its own process,
// with "needs root" where that applies. The protocol is nothing but a connect: the daemon writes
// one JSON status object and closes, so there is no request to parse.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { chmod, mkdir, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { STATUS_SCHEMA_VERSION } from '../core/status-enums.js';
import type { StatusResult } from '../core/status-schema.js';

export const STATUS_SOCKET_PATH = '/run/edge-agent/private/status.sock';
/** A connection that has not been answered by then is closed (the answer is bounded well below). */
const ANSWER_LIMIT_MS = 5000;
/** Clients served at once; more are turned away (and gather the status themselves). */
const MAX_CLIENTS = 8;

export interface StatusServer {
  close(): Promise<void>;
}

/**
 * Listen on `path` (a real path: the caller resolves EDGE_AGENT_ROOT). Clients that connect while
 * an answer is being gathered share it: several `status --watch` sessions cost one gathering.
 * `gather` may decline (undefined): the connection is closed without an answer.
 */
export async function serveStatus(path: string, gather: () => Promise<StatusResult | undefined>, warn: (message: string) => void): Promise<StatusServer> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  // mkdir keeps an existing directory's mode: make sure it is root's alone.
  await chmod(dirname(path), 0o700);
  await unlink(path).catch(() => undefined);
  let pending: Promise<string> | undefined;
  const answer = () =>
    (pending ??= gather()
      .then((result) => (result ? JSON.stringify(result) : ''))
      .finally(() => (pending = undefined)));
  const clients = new Set<Socket>();
  const server: Server = createServer((socket) => {
    if (clients.size >= MAX_CLIENTS) return void socket.destroy();
    clients.add(socket);
    socket.on('close', () => clients.delete(socket));
    socket.on('error', () => undefined);
    socket.setTimeout(ANSWER_LIMIT_MS, () => socket.destroy());
    // Nothing is read from the client; half-closing our side after the answer is all it needs.
    answer().then(
      (text) => socket.end(text),
      (error: unknown) => {
        warn(`status socket: ${(error as Error).message}`);
        socket.destroy();
      },
    );
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

/**
 * The daemon's answer, or undefined when there is none to have: no daemon, no permission, a
 * daemon of another status schema, or no complete answer within `timeoutMs` / before `signal`.
 */
export function askDaemonStatus(path: string, options: { timeoutMs: number; signal?: AbortSignal }): Promise<StatusResult | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = createConnection(path);
    const done = (result: StatusResult | undefined) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', abort);
      socket.destroy();
      resolve(result);
    };
    const abort = () => done(undefined);
    const timer = setTimeout(abort, options.timeoutMs);
    options.signal?.addEventListener('abort', abort, { once: true });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', abort);
    socket.on('end', () => done(parseAnswer(Buffer.concat(chunks).toString('utf8'))));
  });
}

function parseAnswer(text: string): StatusResult | undefined {
  try {
    const data = JSON.parse(text) as Partial<StatusResult> | null;
    // The daemon is the same package as this command except between an upgrade and its restart.
    return data && data.schema === STATUS_SCHEMA_VERSION && typeof data.exitCode === 'number' && typeof data.generatedAt === 'string' ? (data as StatusResult) : undefined;
  } catch {
    return undefined;
  }
}
