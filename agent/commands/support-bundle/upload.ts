// `support-bundle --upload`: sends the archive to the hub service in chunks (packaging/docs/hub-api.md,
// "Support bundles"). The service keeps what arrived of an interrupted chunk, so after a dropped
// connection the client asks how much it has and goes on from there, with a growing pause between
// attempts; only the bundle, the device's certificate (over HTTPS) and the bearer token travel.
import { open } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { HostError } from '../../errors.js';
import type { Secret } from '../../hub/hub-config.js';

export interface UploadOptions {
  url: string;
  token?: string;
  ca?: Buffer;
  /** Client certificate and key: the device's MQTT identity, for a service that checks it. */
  cert?: Buffer;
  key?: Secret;
  deviceId: string;
  file: string;
  sha256: string;
  size: number;
  chunkBytes: number;
  signal: AbortSignal;
  /** Pause before retry n (1-based), in ms. */
  backoffMs?: (attempt: number) => number;
  maxAttempts?: number;
}

export interface UploadResult {
  url: string;
  /** Requests that failed and were retried. */
  retries: number;
  /** Offsets the upload went on from after a failure (what the service had kept). */
  resumedAt: number[];
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

function call(
  options: UploadOptions,
  method: 'GET' | 'PUT',
  path: string,
  body?: Buffer,
  range?: string,
): Promise<Answer> {
  const url = new URL(path, options.url.endsWith('/') ? options.url : `${options.url}/`);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca: options.ca,
        ...(url.protocol === 'https:' &&
          options.cert &&
          options.key && { cert: options.cert, key: options.key.reveal() }),
        signal: options.signal,
        timeout: 60_000,
        headers: {
          accept: 'application/json',
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...(body
            ? { 'content-type': 'application/octet-stream', 'content-length': body.length, 'content-range': range }
            : {}),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          let parsed: Record<string, unknown> = {};
          try {
            parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
          } catch {
            // A proxy's HTML error page: the status says enough.
          }
          resolve({ status: response.statusCode ?? 0, body: parsed });
        });
        response.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 60 s')));
    req.on('error', reject);
    req.end(body);
  });
}

class Retry extends Error {}

const defaultBackoff = (attempt: number) => Math.min(30_000, 500 * 2 ** (attempt - 1));

function refuse(answer: Answer, where: string): never {
  const message = typeof answer.body.message === 'string' ? `: ${answer.body.message}` : '';
  if (answer.status >= 500 || answer.status === 429) throw new Retry(`${where}: HTTP ${answer.status}${message}`);
  throw new HostError('bundle-upload', `${where}: HTTP ${answer.status} ${String(answer.body.error ?? '')}${message}`);
}

export async function uploadBundle(options: UploadOptions): Promise<UploadResult> {
  const path = `api/v1/devices/${encodeURIComponent(options.deviceId)}/bundles/${options.sha256}`;
  const where = `${new URL(options.url).origin}/${path}`;
  const backoff = options.backoffMs ?? defaultBackoff;
  const maxAttempts = options.maxAttempts ?? 6;
  const result: UploadResult = { url: where, retries: 0, resumedAt: [] };
  const file = await open(options.file, 'r');
  try {
    let offset: number | undefined;
    let failures = 0;
    for (;;) {
      try {
        if (offset === undefined) {
          // Where to start: what the service already holds of this bundle (0 for a new one).
          const answer = await call(options, 'GET', path);
          if (answer.status === 404 && answer.body.error === 'no-upload') offset = 0;
          else if (answer.status === 200 && typeof answer.body.received === 'number') {
            if (answer.body.complete === true) return result;
            offset = answer.body.received;
          } else refuse(answer, where);
          if (failures > 0) result.resumedAt.push(offset ?? 0);
        }
        const start: number = offset ?? 0;
        const length = Math.min(options.chunkBytes, options.size - start);
        const chunk = Buffer.alloc(length);
        await file.read(chunk, 0, length, start);
        const range = `bytes ${start}-${start + length - 1}/${options.size}`;
        const answer = await call(options, 'PUT', path, chunk, range);
        if (answer.status === 409 && typeof answer.body.received === 'number') {
          offset = answer.body.received;
          continue;
        }
        if (answer.status !== 200) refuse(answer, where);
        failures = 0;
        if (answer.body.complete === true) return result;
        offset = typeof answer.body.received === 'number' ? answer.body.received : start + length;
      } catch (error) {
        if (options.signal.aborted) throw error;
        if (error instanceof HostError) throw error;
        failures++;
        result.retries++;
        if (failures >= maxAttempts)
          throw new HostError(
            'bundle-upload',
            `${where}: gave up after ${failures} attempts: ${(error as Error).message}`,
            {
              retryable: true,
            },
          );
        offset = undefined;
        await new Promise((resolve) => setTimeout(resolve, backoff(failures)));
      }
    }
  } finally {
    await file.close();
  }
}
