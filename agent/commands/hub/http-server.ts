// The hub service's HTTP side: the versioned JSON API (packaging/docs/hub-api.md) and the
// dashboard pages over it. Loopback and plain HTTP by default; the config refuses any other
// address without TLS and a token file, and with a token every request must carry it.
import { timingSafeEqual, type X509Certificate } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { pipeline } from 'node:stream/promises';
import {
  DASHBOARD_CSS,
  renderDeviceListPage,
  renderDevicePage,
  renderOverviewPage,
} from '../../core/hub/service/dashboard-html.js';
import { decodeCursor, LIST_FILTERS, type DeviceQuery, type ListFilter } from '../../core/hub/service/views.js';
import type { HubStore } from '../../hub/store.js';
import { bundleFile, createBundleHandler, listBundles, type BundleOptions } from './bundle-upload.js';

export interface HttpOptions {
  host: string;
  port: number;
  /** deviceCa: the CA of the devices' client certificates; with it, bundle uploads need one. */
  tls?: { cert: Buffer; key: Buffer; deviceCa?: Buffer };
  token?: string;
  /** Where uploaded support bundles go; without it the bundle endpoints answer 404. */
  bundles?: BundleOptions;
}

class BadRequest extends Error {}

const MAX_PAGE = 500;

function deviceQuery(params: URLSearchParams, defaultLimit: number): DeviceQuery {
  const limitText = params.get('limit');
  const limit = limitText === null ? defaultLimit : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE)
    throw new BadRequest(`limit: expected a whole number from 1 to ${MAX_PAGE}`);
  const filter = params.get('filter') || undefined;
  if (filter !== undefined && !LIST_FILTERS.includes(filter as ListFilter))
    throw new BadRequest(`filter: expected one of ${LIST_FILTERS.join(', ')}`);
  const cursor = params.get('cursor') || undefined;
  const after = cursor === undefined ? undefined : decodeCursor(cursor);
  if (cursor !== undefined && after === undefined) throw new BadRequest('cursor: not a cursor returned by this API');
  const q = params.get('q') || undefined;
  const version = params.get('version') || undefined;
  if ((q?.length ?? 0) > 128 || (version?.length ?? 0) > 128)
    throw new BadRequest('q and version: at most 128 characters');
  return { q, version, filter: filter as ListFilter | undefined, after, limit };
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7).trim() : '');
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

export async function startHttp(
  options: HttpOptions,
  store: HubStore,
  now: () => number = Date.now,
): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const handler = (request: IncomingMessage, response: ServerResponse) => {
    handle(request, response).catch((error: Error) =>
      send(response, 500, 'application/json', JSON.stringify({ error: 'internal', message: error.message })),
    );
  };
  const send = (response: ServerResponse, status: number, type: string, body: string): void => {
    if (response.headersSent) {
      response.end();
      return;
    }
    response.writeHead(status, {
      'content-type': `${type}; charset=utf-8`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      // Only our own stylesheet; no scripts, frames or foreign origins.
      'content-security-policy':
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'",
    });
    response.end(body);
  };
  const json = (response: ServerResponse, status: number, value: unknown) =>
    send(response, status, 'application/json', JSON.stringify(value));
  const html = (response: ServerResponse, body: string) => send(response, 200, 'text/html', body);
  const handleBundle = options.bundles ? createBundleHandler(options.bundles, store) : undefined;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://hub.invalid');
    const path = url.pathname;
    // The one write in the API: devices PUT their support bundles.
    const bundle = /^\/api\/v1\/devices\/([^/]+)\/bundles\/([0-9a-f]{64})$/.exec(path);
    if (request.method !== 'GET' && request.method !== 'HEAD' && !(bundle && request.method === 'PUT'))
      return json(response, 405, { error: 'method-not-allowed' });
    if (path === '/healthz') return json(response, 200, { ok: true });
    // With a device CA, a device proves who it is with the certificate it uses for MQTT: the
    // token, shared by every holder, would let one device upload under another's id.
    const deviceCa = options.tls?.deviceCa !== undefined;
    if (bundle && deviceCa) {
      const refusal = deviceRefusal(request.socket as TLSSocket, decodeURIComponent(bundle[1] ?? ''));
      if (refusal) return json(response, refusal.status, refusal.body);
    } else if (options.token !== undefined && !tokenMatches(request.headers.authorization, options.token)) {
      response.setHeader('www-authenticate', 'Bearer realm="edge-agent-hub"');
      return json(response, 401, {
        error: 'unauthorized',
        message: 'send Authorization: Bearer <token from the token file>',
      });
    }
    try {
      if (bundle && handleBundle)
        return await handleBundle(request, decodeURIComponent(bundle[1] ?? ''), bundle[2] ?? '', (status, body) =>
          json(response, status, body),
        );
      if (path === '/static/hub.css') return send(response, 200, 'text/css', DASHBOARD_CSS);
      if (path === '/api/v1/overview') return json(response, 200, await store.overview(now()));
      if (path === '/api/v1/devices')
        return json(response, 200, await store.listDevices(deviceQuery(url.searchParams, 100), now()));
      const bundles = /^\/api\/v1\/devices\/([^/]+)\/bundles$/.exec(path);
      if (bundles) {
        const id = decodeURIComponent(bundles[1] ?? '');
        if (!(await store.device(id))) return json(response, 404, { error: 'not-found', message: `no device ${id}` });
        return json(response, 200, {
          device: id,
          bundles: options.bundles ? await listBundles(options.bundles, id) : [],
        });
      }
      const download = /^\/api\/v1\/devices\/([^/]+)\/bundles\/([0-9a-f]{64})\.tar\.gz$/.exec(path);
      if (download) {
        const id = decodeURIComponent(download[1] ?? '');
        const file = options.bundles ? await bundleFile(options.bundles, id, download[2] ?? '') : undefined;
        if (!file) return json(response, 404, { error: 'not-found', message: `no such bundle of ${id}` });
        response.writeHead(200, {
          'content-type': 'application/gzip',
          'content-length': String(file.size),
          'content-disposition': `attachment; filename="${id}-${(download[2] ?? '').slice(0, 12)}.tar.gz"`,
          'cache-control': 'no-store',
          'x-content-type-options': 'nosniff',
        });
        if (request.method === 'HEAD') return void response.end();
        return await pipeline(createReadStream(file.path), response);
      }
      const api = /^\/api\/v1\/devices\/([^/]+)(\/timeline)?$/.exec(path);
      if (api) {
        const id = decodeURIComponent(api[1] ?? '');
        const device = await store.device(id);
        if (!device) return json(response, 404, { error: 'not-found', message: `no device ${id}` });
        if (!api[2]) return json(response, 200, { device: device.row, status: device.status });
        return json(response, 200, { device: id, events: await store.timeline(id, timelineLimit(url.searchParams)) });
      }
      if (path === '/') return html(response, renderOverviewPage(await store.overview(now())));
      if (path === '/devices') {
        const query = deviceQuery(url.searchParams, 50);
        return html(
          response,
          renderDeviceListPage(await store.listDevices(query, now()), {
            q: query.q,
            filter: query.filter,
            version: query.version,
          }),
        );
      }
      const page = /^\/devices\/([^/]+)$/.exec(path);
      if (page) {
        const id = decodeURIComponent(page[1] ?? '');
        const device = await store.device(id);
        if (!device) return send(response, 404, 'text/plain', 'no such device');
        const stored = options.bundles ? await listBundles(options.bundles, id) : [];
        const links = stored.map((b) => ({
          ...b,
          href: `/api/v1/devices/${encodeURIComponent(id)}/bundles/${b.sha256}.tar.gz`,
        }));
        return html(response, renderDevicePage(device.row, device.status, await store.timeline(id, 200), links));
      }
      return json(response, 404, { error: 'not-found' });
    } catch (error) {
      if (error instanceof BadRequest || error instanceof URIError)
        return json(response, 400, { error: 'bad-request', message: error.message });
      throw error;
    }
  }

  // The certificate is asked for, not required: operators reach the dashboard with the token.
  const server: Server = options.tls
    ? createHttps(
        {
          cert: options.tls.cert,
          key: options.tls.key,
          ...(options.tls.deviceCa && { ca: options.tls.deviceCa, requestCert: true, rejectUnauthorized: false }),
        },
        handler,
      )
    : createHttp(handler);
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    url: `${options.tls ? 'https' : 'http'}://${host}:${address.port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function timelineLimit(params: URLSearchParams): number {
  const text = params.get('limit');
  const limit = text === null ? 200 : Number(text);
  if (!Number.isInteger(limit) || limit < 1 || limit > 2000)
    throw new BadRequest('limit: expected a whole number from 1 to 2000');
  return limit;
}

/** The names a device certificate speaks for: its CN and its DNS and URI subject alternative names. */
export function certificateNames(cert: X509Certificate): string[] {
  const names: string[] = [];
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(cert.subject)?.[1];
  if (cn) names.push(cn);
  for (const part of (cert.subjectAltName ?? '').split(', ')) {
    const m = /^(?:DNS|URI):(.+)$/.exec(part);
    if (m?.[1]) names.push(m[1]);
  }
  return names;
}

/** Why this connection may not use device `id`'s bundle endpoints, or undefined when it may. */
function deviceRefusal(socket: TLSSocket, id: string): { status: number; body: Record<string, unknown> } | undefined {
  const peer = socket.getPeerX509Certificate?.();
  if (!peer)
    return {
      status: 401,
      body: { error: 'unauthorized', message: 'bundle uploads need the device MQTT client certificate' },
    };
  if (!socket.authorized)
    return {
      status: 401,
      body: {
        error: 'unauthorized',
        message: `the client certificate is not signed by the device CA (${String(socket.authorizationError)})`,
      },
    };
  const names = certificateNames(peer);
  if (!names.includes(id))
    return {
      status: 403,
      body: {
        error: 'forbidden',
        message: `the client certificate is for ${names.map((n) => JSON.stringify(n)).join(', ') || 'no name'}, not device ${id}`,
      },
    };
  return undefined;
}
