// What the hub service makes of one message from the broker: a device status, an online state,
// an event for the history, or a reject with a counted reason. Pure: topic and bytes in, a
// decision out. Everything a device sends is untrusted; nothing here throws on bad input.
import { DeviceStatusSchema, HubEventSchema, type DeviceStatus, type HubEvent } from '../payloads.js';

export const REJECT_REASONS = [
  'bad-topic',
  'oversized',
  'not-json',
  'bad-version',
  'bad-schema',
  'device-mismatch',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export type Ingest =
  | { kind: 'status'; device: string; status: DeviceStatus; markup: boolean }
  | { kind: 'status-cleared'; device: string }
  | { kind: 'online'; device: string; online: 'online' | 'offline' | undefined }
  | { kind: 'event'; device: string; event: HubEvent; markup: boolean }
  | { kind: 'reject'; device?: string; reason: RejectReason; detail: string };

// Same rule as the agent's own device ids (and the broker ACL's %u): nothing that could be a
// topic wildcard or path separator.
const DEVICE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function classifyMessage(prefix: string, topic: string, payload: Uint8Array, maxBytes: number): Ingest {
  if (!topic.startsWith(`${prefix}/`)) return reject(undefined, 'bad-topic', `topic outside ${prefix}/`);
  const [id, kind, ...rest] = topic.slice(prefix.length + 1).split('/');
  if (!id || !DEVICE_ID.test(id) || rest.length > 0 || (kind !== 'status' && kind !== 'events' && kind !== 'online'))
    return reject(undefined, 'bad-topic', 'expected <prefix>/<device-id>/status|events|online');
  if (payload.byteLength > maxBytes) return reject(id, 'oversized', `${payload.byteLength} bytes, limit ${maxBytes}`);
  const text = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8');
  if (kind === 'online') {
    // An empty retained payload deletes the retained message: the state is unknown again.
    if (text === '') return { kind: 'online', device: id, online: undefined };
    if (text === 'online' || text === 'offline') return { kind: 'online', device: id, online: text };
    return reject(id, 'bad-schema', 'online payload is neither "online" nor "offline"');
  }
  if (kind === 'status' && text === '') return { kind: 'status-cleared', device: id };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return reject(id, 'not-json', `${kind} payload is not JSON`);
  }
  const v = (data as { v?: unknown } | null)?.v;
  // A newer version that still parses is kept (payloads only grow); a missing or impossible one
  // means the sender does not speak this protocol.
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
    return reject(
      id,
      'bad-version',
      `${kind} payload has v ${JSON.stringify(v) ?? 'missing'}, expected an integer >= 1`,
    );
  const parsed = kind === 'status' ? DeviceStatusSchema.safeParse(data) : HubEventSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return reject(id, 'bad-schema', `${kind}: ${issue?.path.join('.') || 'payload'}: ${issue?.message ?? 'invalid'}`);
  }
  const device = (parsed.data as { device: string }).device;
  if (device !== id)
    return reject(
      id,
      'device-mismatch',
      `payload device ${JSON.stringify(device).slice(0, 140)} published under ${id}`,
    );
  const markup = /[<>]/.test(text);
  return kind === 'status'
    ? { kind: 'status', device: id, status: parsed.data as DeviceStatus, markup }
    : { kind: 'event', device: id, event: parsed.data as HubEvent, markup };
}

function reject(device: string | undefined, reason: RejectReason, detail: string): Ingest {
  return { kind: 'reject', device, reason, detail };
}
