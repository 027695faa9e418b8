// The readiness summary in the retained status: optional both ways. A hub takes a status from an
// older agent that sends none, and one from a newer agent that adds fields inside it.
import { describe, expect, it } from 'vitest';
import { classifyMessage } from '../../../agent/core/hub/service/ingest.js';
import { DeviceStatusSchema, toWireStatus } from '../../../agent/core/hub/payloads.js';
import { deviceStatus } from '../../../agent/core/hub/report.js';
import type { HubReadiness } from '../../../agent/core/readiness/facts.js';
import { sampleStatus } from './samples.js';

const readiness: HubReadiness = {
  level: 'warn',
  certificates: { level: 'warn', checked: 3, soonestExpiry: '2026-12-24T12:00:00.000Z', daysLeft: 20 },
  fips: 'not-supported',
  pullSecret: 'ok',
  components: { microshift: '4.15.12-1.el9', 'microshift-olm': null, greenboot: '0.15.4-1.el9' },
  layered: ['vim-enhanced'],
  removed: [],
  openPorts: ['6443/tcp@public', '80/tcp@trusted'],
  compatibility: { level: 'warn', reasons: ['MicroShift 4.16 -> 4.19 is not a supported update path'] },
  offline: {
    level: 'warn',
    tree: 'staged',
    message: 'staged deployment: 1 of 3 images would need a pull: quay.io/x@sha256:9',
    missingCount: 1,
  },
};
const wire = (input: typeof sampleStatus) =>
  JSON.stringify(
    toWireStatus(input, {
      device: 'dev-1',
      agent: '0.1.0',
      outbox: { queued: 0, dropped: 0 },
      updatedAt: '2026-12-04T00:00:00.000Z',
    }),
  );
const classify = (text: string) => classifyMessage('edge/v1', 'edge/v1/dev-1/status', Buffer.from(text), 65_536);

describe('readiness in the hub status', () => {
  it('a status without it (an older agent) is ingested', () => {
    const text = wire(sampleStatus);
    expect(text).not.toContain('readiness');
    expect(classify(text)).toMatchObject({ kind: 'status', device: 'dev-1' });
  });

  it('a status with it is ingested and keeps it', () => {
    const text = wire({ ...sampleStatus, readiness });
    expect(classify(text)).toMatchObject({ kind: 'status', device: 'dev-1' });
    expect(DeviceStatusSchema.parse(JSON.parse(text)).readiness).toEqual(readiness);
  });

  it("the daemon's status input carries what its readiness task found, and nothing when it has not run", () => {
    expect(deviceStatus({ readiness }).readiness).toEqual(readiness);
    expect(deviceStatus({}).readiness).toBeUndefined();
  });

  it('fields a newer agent adds inside it are accepted', () => {
    const text = wire({ ...sampleStatus, readiness: { ...readiness, ntp: 'synced' } as HubReadiness });
    expect(classify(text)).toMatchObject({ kind: 'status' });
  });

  it('a readiness of the wrong shape is refused like any bad status', () => {
    const text = wire({ ...sampleStatus, readiness: { ...readiness, fips: 'maybe' } as unknown as HubReadiness });
    expect(classify(text)).toMatchObject({ kind: 'reject', reason: 'bad-schema' });
  });

  it('compatibility and offline images are checked for shape too', () => {
    const bad = { ...readiness, offline: { ...readiness.offline, level: 'maybe' } } as unknown as HubReadiness;
    expect(classify(wire({ ...sampleStatus, readiness: bad }))).toMatchObject({ kind: 'reject', reason: 'bad-schema' });
  });
});
