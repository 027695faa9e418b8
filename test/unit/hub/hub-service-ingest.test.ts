// The hub service's pure decisions: what one broker message becomes, the config's precise
// errors, cursors, and the dashboard's escaping.
import { describe, expect, it } from 'vitest';
import { classifyMessage } from '../../../agent/core/hub/service/ingest.js';
import { decodeCursor, encodeCursor, summarizeEvent } from '../../../agent/core/hub/service/views.js';
import { esc, renderDeviceListPage, renderDevicePage } from '../../../agent/core/hub/service/dashboard-html.js';
import { parseHubServiceConfig } from '../../../agent/commands/hub/hub-service-config.js';
import { toWireEvent, toWireStatus } from '../../../agent/core/hub/payloads.js';
import { sampleEvents, sampleStatus } from './samples.js';

const P = 'edge/v1';
const bytes = (text: string) => Buffer.from(text);
const status = (device: string) =>
  JSON.stringify(
    toWireStatus(sampleStatus, {
      device,
      agent: '0.1.0',
      outbox: { queued: 0, dropped: 0 },
      updatedAt: '2026-01-01T00:00:00.000Z',
    }),
  );
const event = (device: string) => toWireEvent(sampleEvents[0]!, device);

describe('classifyMessage', () => {
  it.each([
    ['status', `${P}/dev-1/status`, status('dev-1'), { kind: 'status', device: 'dev-1' }],
    ['status cleared', `${P}/dev-1/status`, '', { kind: 'status-cleared', device: 'dev-1' }],
    ['online', `${P}/dev-1/online`, 'offline', { kind: 'online', device: 'dev-1', online: 'offline' }],
    ['online cleared', `${P}/dev-1/online`, '', { kind: 'online', device: 'dev-1', online: undefined }],
    ['event', `${P}/dev-1/events`, event('dev-1'), { kind: 'event', device: 'dev-1', markup: false }],
    [
      'preflight event',
      `${P}/dev-1/events`,
      toWireEvent(
        sampleEvents.find((e) => e.type === 'preflight')!,
        'dev-1',
      ),
      { kind: 'event', device: 'dev-1' },
    ],
    [
      'preflight event with a passing item in its list',
      `${P}/dev-1/events`,
      toWireEvent(
        sampleEvents.find((e) => e.type === 'preflight')!,
        'dev-1',
      ).replace('"status":"warn","reason"', '"status":"pass","reason"'),
      { kind: 'reject', reason: 'bad-schema' },
    ],
    ['other prefix', 'other/dev-1/status', status('dev-1'), { kind: 'reject', reason: 'bad-topic' }],
    ['unknown suffix', `${P}/dev-1/config`, '{}', { kind: 'reject', reason: 'bad-topic' }],
    ['deeper topic', `${P}/dev-1/events/x`, event('dev-1'), { kind: 'reject', reason: 'bad-topic' }],
    ['odd online', `${P}/dev-1/online`, 'yes', { kind: 'reject', device: 'dev-1', reason: 'bad-schema' }],
    ['not JSON', `${P}/dev-1/events`, '{"v":1', { kind: 'reject', device: 'dev-1', reason: 'not-json' }],
    ['JSON null', `${P}/dev-1/events`, 'null', { kind: 'reject', device: 'dev-1', reason: 'bad-version' }],
    [
      'version 0',
      `${P}/dev-1/events`,
      event('dev-1').replace('"v":1', '"v":0'),
      { kind: 'reject', reason: 'bad-version' },
    ],
    [
      'version as text',
      `${P}/dev-1/events`,
      event('dev-1').replace('"v":1', '"v":"1"'),
      { kind: 'reject', reason: 'bad-version' },
    ],
    ['newer version that parses', `${P}/dev-1/events`, event('dev-1').replace('"v":1', '"v":7'), { kind: 'event' }],
    [
      'unknown event type',
      `${P}/dev-1/events`,
      event('dev-1').replace('"boot-verdict"', '"reboot"'),
      { kind: 'reject', reason: 'bad-schema' },
    ],
    [
      'payload claims another device',
      `${P}/dev-1/events`,
      event('dev-2'),
      { kind: 'reject', device: 'dev-1', reason: 'device-mismatch' },
    ],
    ['status of another device', `${P}/dev-1/status`, status('dev-2'), { kind: 'reject', reason: 'device-mismatch' }],
    [
      'markup kept, flagged',
      `${P}/dev-1/events`,
      event('dev-1').replace('workloads-not-ready', '<b>x</b>'),
      { kind: 'event', markup: true },
    ],
  ])('%s', (_name, topic, payload, expected) => {
    expect(classifyMessage(P, topic, bytes(payload), 16_384)).toMatchObject(expected);
  });

  it('refuses an oversized payload before parsing it', () => {
    expect(classifyMessage(P, `${P}/dev-1/events`, Buffer.alloc(20_000, 0x7b), 16_384)).toEqual({
      kind: 'reject',
      device: 'dev-1',
      reason: 'oversized',
      detail: '20000 bytes, limit 16384',
    });
  });

  it('refuses device ids that could not come from the broker ACL', () => {
    expect(classifyMessage(P, `${P}/-x/status`, bytes(status('-x')), 16_384)).toMatchObject({
      kind: 'reject',
      reason: 'bad-topic',
    });
  });
});

describe('hub service config', () => {
  it('fills defaults: loopback HTTP, embedded store, retention', () => {
    const config = parseHubServiceConfig('hub.yaml', 'broker:\n  url: mqtts://broker:8883\n');
    expect(config).toMatchObject({
      http: { host: '127.0.0.1', port: 8787 },
      store: { kind: 'sqlite', path: '/var/lib/edge-agent-hub/hub.db' },
      retention: { maxEventsPerDevice: 2000, maxAgeDays: 180 },
    });
  });

  it.each([
    [
      'broker:\n  url: mqtts://b\nstore:\n  kind: mysql\n',
      'hub.yaml: store.kind: line 4: unknown kind (got "mysql"); expected one of "sqlite", "postgres"',
    ],
    [
      'broker:\n  url: mqtts://b\nhttp:\n  host: 0.0.0.0\n  cert: /etc/c.pem\n',
      'hub.yaml: http.key: http.host 0.0.0.0 is not loopback, so HTTPS and a bearer token are required; expected an absolute path\nhub.yaml: http.tokenFile: http.host 0.0.0.0 is not loopback, so HTTPS and a bearer token are required; expected an absolute path',
    ],
    [
      'broker:\n  url: mqtts://b\nretention:\n  maxAgeDays: 0\n',
      'hub.yaml: retention.maxAgeDays: line 4: too small (got 0); expected a number >= 1',
    ],
    [
      'broker:\n  url: mqtts://b\nstore:\n  kind: postgres\n  url: mysql://x\n',
      'hub.yaml: store.url: line 5: wrong format (got "mysql://x"); expected a postgres:// URL, e.g. postgres://edge_hub@db.example.com:5432/edge_hub',
    ],
    [
      'broker:\n  url: mqtts://b\n  ca: rel/ca.crt\n',
      'hub.yaml: broker.ca: line 3: wrong format (got "rel/ca.crt"); expected an absolute path',
    ],
    [
      'broker:\n  url: mqtts://b\nhttp:\n  deviceCa: /etc/ca.pem\n  key: /etc/k.pem\n',
      'hub.yaml: http.cert: http.deviceCa is set: devices present their certificates over HTTPS only; expected an absolute path',
    ],
    ['broker: {}\n', 'hub.yaml: broker.url: line 1: missing required key; expected a string'],
  ])('%j is refused precisely', (text, message) => {
    expect(() => parseHubServiceConfig('hub.yaml', text)).toThrow(message);
  });
});

describe('views', () => {
  it('round-trips cursors and refuses forged ones', () => {
    expect(decodeCursor(encodeCursor('device-ä/1'))).toBe('device-ä/1');
    expect(decodeCursor("' OR 1=1 --")).toBeUndefined();
  });

  it('summarizes a rollback and a red boot for the timeline', () => {
    expect(summarizeEvent('boot-verdict', sampleEvents[0]!.body as Record<string, unknown>)).toBe(
      'boot RED, on 9.4.20240612.0, attempt 2/3, failed: microshift (workloads-not-ready)',
    );
    expect(summarizeEvent('rollback-detected', sampleEvents[1]!.body as Record<string, unknown>)).toBe(
      'ROLLBACK from 9.4.20240612.0 to 9.4.20240601.0: boot red 3 times',
    );
  });

  it('summarizes a preflight result with the items that did not pass', () => {
    const preflight = sampleEvents.find((e) => e.type === 'preflight')!;
    expect(summarizeEvent('preflight', preflight.body as Record<string, unknown>)).toBe(
      'preflight of 9.4.20240701.0: WARN (compatibility warn)',
    );
  });

  it('escapes everything a device sends in the device list', () => {
    expect(esc(`<a href="x" onclick='y'>&`)).toBe('&#60;a href=&#34;x&#34; onclick=&#39;y&#39;&#62;&#38;');
    const html = renderDeviceListPage(
      {
        devices: [
          {
            id: 'd"><script>1</script>',
            online: 'online',
            verdict: 'green',
            version: '<b>9</b>',
            seenAt: 'now',
            eventsPruned: 0,
          },
        ],
        next: 'abc',
      },
      { q: '"><x' },
    );
    expect(html).not.toMatch(/<script>|<b>|"><x/);
    expect(html).toContain('href="/devices/d%22%3E%3Cscript%3E1%3C%2Fscript%3E"');
    expect(html).toContain('href="/devices?q=%22%3E%3Cx&cursor=abc"');
  });

  it("shows a rollback's pre-rollback steps with their outcomes, escaped", () => {
    const body = {
      ...(sampleEvents[1]!.body as Record<string, unknown>),
      preRollback: [
        { id: 'stop-microshift', outcome: 'done', message: 'stopped microshift.service' },
        { id: 'hook:<img src=x onerror=alert(1)>', outcome: 'failed', message: '<script>alert(2)</script>' },
      ],
    };
    const summary = summarizeEvent('rollback-detected', body);
    expect(summary).toBe(
      'ROLLBACK from 9.4.20240612.0 to 9.4.20240601.0: boot red 3 times; pre-rollback: stop-microshift done, hook:<img src=x onerror=alert(1)> failed',
    );
    const row = { id: 'dev-1', online: 'online' as const, verdict: 'green' as const, seenAt: 'now', eventsPruned: 0 };
    const entry = { id: 'e1', type: 'rollback-detected', time: 't', receivedAt: 'r', body, summary };
    const html = renderDevicePage(row, undefined, [entry]);
    expect(html).not.toMatch(/<script>|<img/);
    const steps = [
      ...html.matchAll(
        /<li class="step outcome-([a-z]+)"><span class="step-id">([^<]*)<\/span>: <span class="outcome">([a-z]+)<\/span>/g,
      ),
    ];
    expect(steps.map((m) => [m[1], m[2], m[3]])).toEqual([
      ['done', 'stop-microshift', 'done'],
      ['failed', 'hook:&#60;img src=x onerror=alert(1)&#62;', 'failed'],
    ]);
    expect(html).toContain('&#60;script&#62;alert(2)&#60;/script&#62;');
    // A rollback without steps (an older agent) renders no list.
    expect(
      renderDevicePage(row, undefined, [{ ...entry, body: sampleEvents[1]!.body as Record<string, unknown> }]),
    ).not.toContain('class="pre-rollback"');
  });
});
