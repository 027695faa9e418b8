// Realistic hub payloads, shared by the schema and traffic tests.
import type { DeviceStatusInput, HubEventRecord } from '../../../agent/core/hub/payloads.js';

export const sampleStatus: DeviceStatusInput = {
  booted: { version: '9.4.20240612.0', checksum: '3f1c2e9a7b4d' },
  staged: { version: '9.4.20240701.0', checksum: 'a9e8d7c6b5a4' },
  verdict: 'green',
  attempt: { n: 1, max: 3 },
  rollback: {
    at: '2024-06-10T08:12:44.120Z',
    from: { version: '9.4.20240610.0', checksum: '0b1c2d3e4f5a' },
    to: { version: '9.4.20240601.0', checksum: '5a4f3e2d1c0b' },
    reason: 'microshift: workloads-not-ready (openshift-ingress/router-default)',
  },
  microshift: { unit: 'active', apiReady: true, workloads: { ready: 6, total: 6 } },
  journalPersistent: true,
};

export const sampleEvents: HubEventRecord[] = [
  {
    id: '01J0ZK4N2Q8V3W5X6Y7Z8A9B0C',
    type: 'boot-verdict',
    time: '2024-06-12T06:01:02.003Z',
    body: {
      verdict: 'red',
      bootId: '5c9f0e1d2b3a4c5d6e7f8091a2b3c4d5',
      deployment: { version: '9.4.20240612.0', checksum: '3f1c2e9a7b4d' },
      attempt: { n: 2, max: 3 },
      failed: [{ check: 'microshift', reason: 'workloads-not-ready' }],
    },
  },
  {
    id: '01J0ZK4N2Q8V3W5X6Y7Z8A9B0D',
    type: 'rollback-detected',
    time: '2024-06-12T06:05:00.000Z',
    body: {
      at: '2024-06-12T06:04:31.000Z',
      from: { version: '9.4.20240612.0', checksum: '3f1c2e9a7b4d' },
      to: { version: '9.4.20240601.0', checksum: '5a4f3e2d1c0b' },
      reason: 'boot red 3 times',
    },
  },
  {
    id: '01J0ZK4N2Q8V3W5X6Y7Z8A9B0E',
    type: 'check-failed',
    time: '2024-06-12T06:01:01.000Z',
    body: {
      check: 'var-free-space',
      class: 'wanted',
      reason: 'below-threshold',
      message: '/var has 812 MiB free, wanted 1024 MiB',
    },
  },
  {
    id: '01J0ZK4N2Q8V3W5X6Y7Z8A9B0F',
    type: 'update-staged',
    time: '2024-06-12T06:00:00.000Z',
    body: { deployment: { version: '9.4.20240701.0', checksum: 'a9e8d7c6b5a4' } },
  },
  {
    id: '01J0ZK4N2Q8V3W5X6Y7Z8A9B0G',
    type: 'journal-persistence-changed',
    time: '2024-06-12T06:00:00.000Z',
    body: { persistent: true, reason: 'edge-agent journal persist' },
  },
  {
    id: '01J0ZK4N2Q8V3W5X6Y7Z8A9B0H',
    type: 'events-dropped',
    time: '2024-06-12T06:00:00.000Z',
    body: {
      count: 3,
      total: 7,
      since: '2024-06-11T00:00:00.000Z',
      until: '2024-06-12T06:00:00.000Z',
      byType: { 'check-failed': 3 },
    },
  },
  {
    id: '01J0ZK4N2Q8V3W5X6Y7Z8A9B0J',
    type: 'preflight',
    time: '2024-06-12T06:00:00.000Z',
    body: {
      deployment: { version: '9.4.20240701.0', checksum: 'a9e8d7c6b5a4' },
      status: 'warn',
      counts: { pass: 9, warn: 1, fail: 0 },
      items: [
        { id: 'compatibility', status: 'warn', reason: 'MicroShift 4.14 -> 4.17 is not a supported update path' },
      ],
    },
  },
];
