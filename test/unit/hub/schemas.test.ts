// The hub payload contract: the committed JSON Schema files match the zod schemas, typical
// payloads validate, and their sizes stay small (they decide the per-device traffic).
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderJsonSchemas, schemasDir } from '../../../agent/hub/export-schemas.js';
import { DeviceStatusSchema, HubEventSchema, toWireEvent, toWireStatus } from '../../../agent/core/hub/payloads.js';
import { sampleEvents, sampleStatus } from './samples.js';

describe('exported JSON Schema files', () => {
  it('are in sync with the zod schemas (regenerate: node --import tsx agent/hub/export-schemas.ts)', async () => {
    const expected = renderJsonSchemas();
    const committed = (await readdir(schemasDir))
      .filter((f) => f.startsWith('hub-') && f.endsWith('.schema.json'))
      .sort();
    expect(committed).toEqual(Object.keys(expected).sort());
    for (const [name, text] of Object.entries(expected))
      expect(await readFile(join(schemasDir, name), 'utf8'), name).toBe(text);
  });
});

describe('payloads', () => {
  const wireStatus = () =>
    toWireStatus(sampleStatus, {
      device: 'device-a',
      agent: '0.1.0',
      outbox: { queued: 0, dropped: 0 },
      connectedAt: '2024-06-12T06:00:00.000Z',
      updatedAt: '2024-06-12T07:00:00.000Z',
    });

  it('a full status validates and is compact', () => {
    const text = JSON.stringify(wireStatus());
    expect(DeviceStatusSchema.parse(JSON.parse(text))).toMatchObject({ v: 1, device: 'device-a', verdict: 'green' });
    expect(text).not.toMatch(/\n|": /);
    console.log(
      `status payload: ${Buffer.byteLength(text)} bytes (full); minimal: ${JSON.stringify(toWireStatus({ verdict: 'unknown' }, { device: 'device-a', agent: '0.1.0', outbox: { queued: 0, dropped: 0 }, updatedAt: '2024-06-12T07:00:00.000Z' })).length} bytes`,
    );
    expect(Buffer.byteLength(text)).toBeLessThan(1024);
  });

  it.each(sampleEvents.map((e) => [e.type, e] as const))('a %s event validates', (_type, record) => {
    const text = toWireEvent(record, 'device-a');
    expect(HubEventSchema.parse(JSON.parse(text))).toMatchObject({
      v: 1,
      id: record.id,
      device: 'device-a',
      type: record.type,
    });
    expect(Buffer.byteLength(text)).toBeLessThan(512);
  });

  it('sizes of the sample events', () => {
    console.log(
      `event payloads: ${sampleEvents.map((e) => `${e.type} ${Buffer.byteLength(toWireEvent(e, 'device-a'))} B`).join(', ')}`,
    );
  });

  it('readers keep unknown fields from a newer agent', () => {
    const newer = { ...wireStatus(), v: 2, thermal: { cpuC: 71 } };
    expect(DeviceStatusSchema.parse(newer)).toMatchObject({ v: 2, thermal: { cpuC: 71 } });
  });

  it('refuses an event with a body of another type', () => {
    const bad = JSON.parse(toWireEvent({ ...sampleEvents[0]!, type: 'check-failed' }, 'device-a'));
    expect(HubEventSchema.safeParse(bad).success).toBe(false);
  });
});
