// The outbox's drop counter and drop reports, persisted in <outbox>/state.json.
//
// Drops accumulate in one open report. When the sink takes the report for publishing (peek) it
// is sealed: its id and counts never change again, so a re-send after a crash is an exact
// duplicate the hub can de-duplicate, and drops that happen meanwhile go into a new open report.
import * as z from 'zod/mini';
import { count } from '../core/zod.js';
import { writeFileAtomic } from '../host/fs.js';

export interface DropReport {
  id: string;
  count: number;
  /** Drops since install, as of the last drop in this report. */
  total: number;
  since: string;
  until: string;
  byType: Record<string, number>;
}

export interface DropState {
  total: number;
  sealed: DropReport[];
  open?: DropReport;
}

const reportSchema = z.looseObject({
  id: z.string(),
  count: count(),
  total: count(),
  since: z.string(),
  until: z.string(),
  byType: z.catch(z.record(z.string(), z.number()), {}),
});
const stateSchema = z.looseObject({
  total: z.catch(count(), 0),
  sealed: z.catch(z.array(reportSchema), []),
  open: z.catch(z.optional(reportSchema), undefined),
});

/** Lenient: an unreadable file means "no drops known", with a warning from the caller. */
export function parseDropState(text: string | undefined): { state: DropState; problem?: string } {
  if (text === undefined) return { state: { total: 0, sealed: [] } };
  try {
    const parsed = stateSchema.safeParse(JSON.parse(text));
    if (parsed.success)
      return { state: { total: parsed.data.total, sealed: parsed.data.sealed, open: parsed.data.open } };
  } catch {
    // fall through
  }
  return { state: { total: 0, sealed: [] }, problem: 'unreadable drop counter (state.json), starting from 0' };
}

export function addDrops(state: DropState, types: readonly string[], now: string, newId: () => string): void {
  if (types.length === 0) return;
  state.total += types.length;
  const report = (state.open ??= { id: newId(), count: 0, total: 0, since: now, until: now, byType: {} });
  report.count += types.length;
  report.total = state.total;
  report.until = now;
  for (const type of types) report.byType[type] = (report.byType[type] ?? 0) + 1;
}

/** Reports to publish, oldest first; seals the open one. Returns whether the state changed. */
export function takeReports(state: DropState): { reports: DropReport[]; changed: boolean } {
  if (!state.open) return { reports: state.sealed, changed: false };
  state.sealed.push(state.open);
  state.open = undefined;
  return { reports: state.sealed, changed: true };
}

/** Forget delivered reports. Returns whether any was removed. */
export function ackReports(state: DropState, ids: ReadonlySet<string>): boolean {
  const before = state.sealed.length;
  state.sealed = state.sealed.filter((report) => !ids.has(report.id));
  return state.sealed.length !== before;
}

export function unreportedDrops(state: DropState): number {
  return state.sealed.reduce((sum, report) => sum + report.count, state.open?.count ?? 0);
}

export async function saveDropState(file: string, state: DropState): Promise<void> {
  await writeFileAtomic(file, JSON.stringify({ v: 1, ...state }), 0o600);
}
