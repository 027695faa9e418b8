// On-disk format of the outbox (see outbox.ts for the queue itself).
//
// Segment files `seg-<first seq, 16 hex>.log` hold records appended in sequence order:
//   0  "EQ" magic       2  format version (1)   3  flags (bit 0: priority event)
//   4  u32 payload length                       8  u64 sequence number
//   16 u32 CRC-32 of bytes 0-15 and the payload 20 payload (compact JSON of the event)
// `acks.log` lists sequence numbers that are gone (delivered or evicted): 12-byte entries of
// u64 seq + u32 CRC-32 of those 8 bytes. A power cut can leave a torn record or entry at the end
// of either file: scanning stops at the first one that does not check out, and the caller cuts
// the file there.
import { crc32 } from 'node:zlib';

export const RECORD_HEADER_BYTES = 20;
export const ACK_ENTRY_BYTES = 12;
const MAGIC0 = 0x45; // 'E'
const MAGIC1 = 0x51; // 'Q'
const FORMAT = 1;
/** Sanity bound for a length field read from disk (real events are far smaller). */
export const MAX_PAYLOAD_BYTES = 1 << 20;

const writeSeq = (buf: Buffer, seq: number, at: number) => {
  buf.writeUInt32BE(Math.floor(seq / 2 ** 32), at);
  buf.writeUInt32BE(seq >>> 0, at + 4);
};
const readSeq = (buf: Buffer, at: number) => buf.readUInt32BE(at) * 2 ** 32 + buf.readUInt32BE(at + 4);

export function encodeRecord(seq: number, priority: boolean, payload: Buffer): Buffer {
  const record = Buffer.allocUnsafe(RECORD_HEADER_BYTES + payload.length);
  record[0] = MAGIC0;
  record[1] = MAGIC1;
  record[2] = FORMAT;
  record[3] = priority ? 1 : 0;
  record.writeUInt32BE(payload.length, 4);
  writeSeq(record, seq, 8);
  payload.copy(record, RECORD_HEADER_BYTES);
  record.writeUInt32BE(crc32(payload, crc32(record.subarray(0, 16))), 16);
  return record;
}

export interface ScannedRecord {
  seq: number;
  priority: boolean;
  offset: number;
  /** Header plus payload (which starts RECORD_HEADER_BYTES after offset). */
  length: number;
}

export interface ScanResult<T> {
  items: T[];
  /** Bytes from the start that hold whole, valid items (and skipped regions between them). */
  validBytes: number;
  /** Why scanning stopped before the end, when it did. */
  problem?: string;
}

/** Bytes between two valid records that do not form a valid record. */
export interface SkippedRegion {
  offset: number;
  length: number;
  problem: string;
}

const MAGIC = Buffer.from([MAGIC0, MAGIC1, FORMAT]);

export function scanRecords(data: Buffer): ScanResult<ScannedRecord> & { skipped: SkippedRegion[] } {
  const items: ScannedRecord[] = [];
  const skipped: SkippedRegion[] = [];
  let offset = 0;
  while (offset < data.length) {
    const problem = checkRecord(data, offset);
    if (problem) {
      const next = nextValidRecord(data, offset + 1);
      if (next === undefined) return { items, skipped, validBytes: offset, problem };
      skipped.push({ offset, length: next - offset, problem });
      offset = next;
      continue;
    }
    const payloadLength = data.readUInt32BE(offset + 4);
    const length = RECORD_HEADER_BYTES + payloadLength;
    items.push({
      seq: readSeq(data, offset + 8),
      priority: ((data[offset + 3] ?? 0) & 1) === 1,
      offset,
      length,
    });
    offset += length;
  }
  return { items, skipped, validBytes: offset };
}

function nextValidRecord(data: Buffer, from: number): number | undefined {
  for (let at = data.indexOf(MAGIC, from); at >= 0; at = data.indexOf(MAGIC, at + 1)) {
    if (!checkRecord(data, at)) return at;
  }
  return undefined;
}

function checkRecord(data: Buffer, offset: number): string | undefined {
  if (data.length - offset < RECORD_HEADER_BYTES) return 'torn record header';
  if (data[offset] !== MAGIC0 || data[offset + 1] !== MAGIC1 || data[offset + 2] !== FORMAT) return 'bad record header';
  const payloadLength = data.readUInt32BE(offset + 4);
  if (payloadLength > MAX_PAYLOAD_BYTES) return 'implausible record length';
  if (data.length - offset < RECORD_HEADER_BYTES + payloadLength) return 'torn record';
  const payload = data.subarray(offset + RECORD_HEADER_BYTES, offset + RECORD_HEADER_BYTES + payloadLength);
  if (crc32(payload, crc32(data.subarray(offset, offset + 16))) !== data.readUInt32BE(offset + 16))
    return 'record checksum mismatch';
  return undefined;
}

export function encodeAcks(seqs: readonly number[]): Buffer {
  const out = Buffer.allocUnsafe(seqs.length * ACK_ENTRY_BYTES);
  seqs.forEach((seq, i) => {
    const at = i * ACK_ENTRY_BYTES;
    writeSeq(out, seq, at);
    out.writeUInt32BE(crc32(out.subarray(at, at + 8)), at + 8);
  });
  return out;
}

export function scanAcks(data: Buffer): ScanResult<number> {
  const items: number[] = [];
  let offset = 0;
  for (; offset + ACK_ENTRY_BYTES <= data.length; offset += ACK_ENTRY_BYTES) {
    if (crc32(data.subarray(offset, offset + 8)) !== data.readUInt32BE(offset + 8))
      return { items, validBytes: offset, problem: 'entry checksum mismatch' };
    items.push(readSeq(data, offset));
  }
  return offset === data.length ? { items, validBytes: offset } : { items, validBytes: offset, problem: 'torn entry' };
}

export const segmentName = (firstSeq: number) => `seg-${firstSeq.toString(16).padStart(16, '0')}.log`;
export const isSegmentName = (name: string) => /^seg-[0-9a-f]{16}\.log$/.test(name);
