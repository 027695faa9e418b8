// `edge-agent fleet --hub URL`: reads every device from the hub service's JSON API, page by page
// (keyset cursors), so the listing is complete however large the fleet is.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { HostError } from '../errors.js';
import type { DevicePage } from '../core/hub/service/views.js';
import type { FleetRow } from '../core/hub/fleet.js';

export interface HubApiOptions {
  url: string;
  ca?: Buffer;
  token?: string;
  signal: AbortSignal;
}

function getJson(options: HubApiOptions, path: string): Promise<unknown> {
  const url = new URL(path, options.url.endsWith('/') ? options.url : `${options.url}/`);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'GET',
        ca: options.ca,
        signal: options.signal,
        timeout: 30_000,
        headers: { accept: 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (response.statusCode !== 200)
            return reject(
              new HostError(
                'hub-api',
                `${url.origin}${url.pathname}: HTTP ${response.statusCode ?? '?'} ${text.slice(0, 200)}`,
              ),
            );
          try {
            resolve(JSON.parse(text));
          } catch {
            reject(new HostError('hub-api', `${url.origin}${url.pathname}: the answer is not JSON`));
          }
        });
        response.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 30 s')));
    req.on('error', (error) =>
      reject(
        error instanceof HostError
          ? error
          : new HostError('hub-api', `cannot reach the hub service at ${url.origin}: ${error.message}`, {
              retryable: true,
            }),
      ),
    );
    req.end();
  });
}

export async function readFleetFromHub(options: HubApiOptions): Promise<FleetRow[]> {
  const rows: FleetRow[] = [];
  let cursor: string | undefined;
  do {
    const page = (await getJson(
      options,
      `api/v1/devices?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    )) as DevicePage;
    if (!Array.isArray(page.devices))
      throw new HostError('hub-api', `${options.url}: api/v1/devices did not return a device page`);
    for (const device of page.devices) {
      const problems: string[] = [];
      if (device.online === 'offline') problems.push('offline');
      if (device.verdict === 'red') problems.push('boot red');
      rows.push({
        id: device.id,
        online: device.online,
        since: device.onlineAt,
        booted: device.version,
        verdict: device.verdict,
        lastSeen: device.statusAt ?? device.seenAt,
        problems,
      });
    }
    cursor = page.next;
  } while (cursor !== undefined && !options.signal.aborted);
  return rows;
}
