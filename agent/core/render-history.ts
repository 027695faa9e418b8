// `edge-agent history`: boots and rollbacks, newest first, one line each, with the reason.
import type { BootRecord } from './boot-record.js';
import { newerNote, type NewerValue } from './record-skew.js';
import { describe } from './rollback.js';
import { displayText, mapStrings } from './terminal-text.js';

export interface HistoryEntry {
  kind: 'boot' | 'rollback';
  bootId: string;
  at: string;
  deployment?: string;
  verdict?: 'green' | 'red';
  attempt?: string;
  reason?: string;
  message?: string;
  actions?: { id: string; outcome: string }[];
  /** Set when a newer edge-agent wrote values this version cannot read (they are kept). */
  newer?: string;
}

export function historyEntries(records: readonly BootRecord[], limit: number, newerValues: (record: BootRecord) => readonly NewerValue[] = () => []): HistoryEntry[] {
  const entries: HistoryEntry[] = [];
  for (const r of records) {
    // A rollback is noticed at the start of the boot it lands in: list it above that boot.
    if (r.rollback) entries.push({ kind: 'rollback', bootId: r.bootId, at: r.rollback.detectedAt, message: r.rollback.message });
    const failure = r.firstFailure ?? r.checks.required?.results.find((c) => c.outcome !== 'pass' && c.outcome !== 'skipped');
    entries.push({
      kind: 'boot',
      bootId: r.bootId,
      at: r.firstSeenAt ?? r.verdictAt ?? '',
      deployment: r.deployment ? describe(r.deployment) : undefined,
      verdict: r.verdict,
      attempt: r.greenboot?.attempt ? `${r.greenboot.attempt}/${r.greenboot.attempts}` : undefined,
      reason: failure ? `${failure.id}: ${failure.message ?? failure.reason}` : undefined,
      actions: r.actions?.map((a) => ({ id: a.id, outcome: a.outcome })),
      newer: newerNote(newerValues(r)),
    });
  }
  return entries.slice(0, limit);
}

/** Records may hold text from checks, scripts or another version: every field is escaped. */
export function renderHistory(entries: readonly HistoryEntry[]): string {
  if (entries.length === 0) return 'No boots recorded yet.\n';
  const lines = entries.map((entry) => mapStrings(entry, (text) => displayText(text))).map((e) => {
    const when = e.at.replace('T', ' ').slice(0, 19);
    if (e.kind === 'rollback') return `${when}  ROLLBACK  ${e.message}`;
    const verdict = (e.verdict ?? 'unknown').toUpperCase().padEnd(7);
    const attempt = e.attempt ? ` attempt ${e.attempt}` : '';
    const reason = e.reason ? `\n${' '.repeat(21)}failed: ${e.reason}` : '';
    const cleanup = e.actions?.length ? `\n${' '.repeat(21)}pre-rollback: ${e.actions.map((a) => `${a.id} ${a.outcome}`).join(', ')}` : '';
    const newer = e.newer ? `\n${' '.repeat(21)}${e.newer}` : '';
    return `${when}  ${verdict}   ${e.deployment ?? 'unknown deployment'}${attempt}  boot ${e.bootId.slice(0, 8)}${reason}${cleanup}${newer}`;
  });
  return `${lines.join('\n')}\n`;
}
