// A boot record as `status` shows it: the one record schema (core/boot-record.ts) read leniently,
// plus a note naming what a newer edge-agent wrote that this version cannot read. Its own module:
// the schema's zod code stays off the path of a status that the daemon answers.
import { readBootRecord, type BootRecord, type ReadBootRecord } from '../boot-record.js';
import { newerNote } from '../record-skew.js';

export type StatusRecord = BootRecord & {
  /** `written by a newer edge-agent (verdict: "amber")` when it holds values this version cannot read. */
  newerNote?: string;
};

/** A record as read by the one reader (readBootRecord), as status shows it. */
export function statusRecordOf(read: ReadBootRecord): StatusRecord {
  const note = newerNote(read.newer);
  return note ? { ...read.record, newerNote: note } : read.record;
}

/** The same from a record's parsed JSON; undefined when it is not a record at all (no boot id). */
export function readStatusRecord(data: unknown): StatusRecord | undefined {
  const read = readBootRecord(data);
  return read && statusRecordOf(read);
}
