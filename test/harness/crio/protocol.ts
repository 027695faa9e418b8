// The wire between the crictl stand-in (and the simulated kubelet in microshift-sim) and the CRI-O
// stand-in's daemon: one JSON request and one JSON reply per connection, newline-terminated, over
// the real CRI socket path.
//
// What it simulates: the CRI's gRPC calls as crictl sees them: a method name, its request, and
// either a reply or a status (code + description) that crictl prints as `rpc error: code = X desc
// = Y`; a per-call deadline (crictl's --timeout) that ends in DeadlineExceeded; dialing a socket
// that is missing or refused ends in Unavailable with gRPC's own wording. What it leaves out:
// gRPC framing, streaming calls, TLS, the image service.
import { connect } from 'node:net';

export type GrpcCode =
  'NotFound' | 'Unknown' | 'DeadlineExceeded' | 'Unavailable' | 'InvalidArgument' | 'FailedPrecondition';

export class RpcError extends Error {
  constructor(
    readonly code: GrpcCode,
    readonly desc: string,
  ) {
    super(`rpc error: code = ${code} desc = ${desc}`);
  }
}

export interface RpcRequest {
  method: string;
  params: Record<string, unknown>;
}

export type RpcReply = { result: unknown } | { error: { code: GrpcCode; desc: string } };

/** Call the daemon at `socket`; rejects with an RpcError as the real client would report it. */
export function callCrio(
  socket: string,
  method: string,
  params: Record<string, unknown>,
  timeoutMs: number,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const conn = connect(socket);
    let buffer = '';
    const timer = setTimeout(() => finish(new RpcError('DeadlineExceeded', 'context deadline exceeded')), timeoutMs);
    const finish = (error?: Error, result?: unknown) => {
      clearTimeout(timer);
      conn.destroy();
      if (error) reject(error);
      else resolve(result);
    };
    conn.on('connect', () => conn.write(`${JSON.stringify({ method, params } satisfies RpcRequest)}\n`));
    conn.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      const end = buffer.indexOf('\n');
      if (end < 0) return;
      let reply: RpcReply;
      try {
        reply = JSON.parse(buffer.slice(0, end)) as RpcReply;
      } catch {
        return finish(new RpcError('Unknown', `malformed reply from ${socket}`));
      }
      if ('error' in reply) finish(new RpcError(reply.error.code, reply.error.desc));
      else finish(undefined, reply.result);
    });
    conn.on('error', (error: NodeJS.ErrnoException) => finish(new RpcError('Unavailable', dialError(socket, error))));
    conn.on('end', () => finish(new RpcError('Unavailable', 'error reading from server: EOF')));
  });
}

/** grpc-go's words for a failed dial, e.g. `connect: no such file or directory`. */
export function dialError(socket: string, error: NodeJS.ErrnoException): string {
  const reason: Record<string, string> = {
    ENOENT: 'no such file or directory',
    ECONNREFUSED: 'connection refused',
    EACCES: 'permission denied',
  };
  const why = reason[error.code ?? ''] ?? error.message;
  return `connection error: desc = "transport: Error while dialing: dial unix ${socket}: connect: ${why}"`;
}
