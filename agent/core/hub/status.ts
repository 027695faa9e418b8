// When to publish the retained status: on change, but at most every statusMinIntervalSec, and
// at least every heartbeatSec. The fingerprint leaves out the times that change on every
// publish, so a heartbeat alone never counts as a change.
import type { DeviceStatus } from './payloads.js';

export function statusFingerprint(status: DeviceStatus): string {
  const { updatedAt: _updatedAt, ...content } = status;
  return JSON.stringify(content);
}

export interface StatusPublishFacts {
  /** Fingerprint of the status we would publish now; undefined when there is none yet. */
  fingerprint?: string;
  /** The last status the broker acknowledged in this process. */
  sent?: { fingerprint: string; atMs: number };
  nowMs: number;
  minIntervalMs: number;
  heartbeatMs: number;
}

export type StatusPublishPlan = { kind: 'now' } | { kind: 'at'; atMs: number } | { kind: 'idle' };

export function planStatusPublish(facts: StatusPublishFacts): StatusPublishPlan {
  if (facts.fingerprint === undefined) return { kind: 'idle' };
  if (!facts.sent) return { kind: 'now' };
  const changed = facts.fingerprint !== facts.sent.fingerprint;
  const atMs = facts.sent.atMs + (changed ? facts.minIntervalMs : facts.heartbeatMs);
  return facts.nowMs >= atMs ? { kind: 'now' } : { kind: 'at', atMs };
}
