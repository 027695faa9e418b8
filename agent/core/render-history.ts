// `edge-agent history`: boots and rollbacks, newest first, one line each, with the reason.
import type { BootRecord } from './boot-record.js';
import { newerNote, type NewerValue } from './record-skew.js';
import { summarizeRequiredFailure } from './greenboot-journal.js';
import { describe } from './rollback.js';
import { displayText, mapStrings } from './terminal-text.js';
import { decideBootVerdict, type BootVerdict, type BootVerdictInputs } from './verdict/boot-verdict.js';
import { pastBootInputs } from './verdict/verdict-inputs.js';

export interface HistoryEntry {
  kind: 'boot' | 'rollback';
  bootId: string;
  at: string;
  deployment?: string;
  /** The one boot verdict (core/verdict/boot-verdict.ts): this boot's from its live inputs, earlier ones from their records. */
  verdict?: BootVerdict;
  attempt?: string;
  reason?: string;
  message?: string;
  actions?: { id: string; outcome: string }[];
  /** Set when a newer edge-agent wrote values this version cannot read (they are kept). */
  newer?: string;
  /** greenboot scripts (any vendor's) that failed this boot, from the record. */
  scripts?: { name: string; kind: string; exitCode?: number; lastLine?: string }[];
}

export function historyEntries(
  records: readonly BootRecord[],
  limit: number,
  newerValues: (record: BootRecord) => readonly NewerValue[] = () => [],
  /** This boot and what its verdict rests on now; without it every boot is judged by its record alone. */
  current?: { bootId: string; inputs: BootVerdictInputs },
): HistoryEntry[] {
  const entries: HistoryEntry[] = [];
  for (const r of records) {
    // A rollback is noticed at the start of the boot it lands in: list it above that boot.
    if (r.rollback)
      entries.push({ kind: 'rollback', bootId: r.bootId, at: r.rollback.detectedAt, message: r.rollback.message });
    const failure =
      r.firstFailure ??
      r.checks.required?.results.find((c) => c.outcome !== 'pass' && c.outcome !== 'skipped') ??
      otherScript(r);
    const scripts = (r.greenbootScripts?.scripts ?? [])
      .filter((x) => x.outcome === 'failure')
      .map((x) => ({ name: x.name, kind: x.kind, exitCode: x.exitCode, lastLine: x.lastLines?.at(-1) }));
    entries.push({
      kind: 'boot',
      bootId: r.bootId,
      at: r.firstSeenAt ?? r.verdictAt ?? '',
      deployment: r.deployment ? describe(r.deployment) : undefined,
      verdict: decideBootVerdict(r.bootId === current?.bootId ? current.inputs : pastBootInputs(r)).verdict,
      attempt: r.greenboot?.attempt ? `${r.greenboot.attempt}/${r.greenboot.attempts}` : undefined,
      reason: failure ? `${failure.id}: ${failure.message ?? failure.reason}` : undefined,
      actions: r.actions?.map((a) => ({ id: a.id, outcome: a.outcome })),
      newer: newerNote(newerValues(r)),
      ...(scripts.length > 0 && { scripts }),
    });
  }
  return entries.slice(0, limit);
}

/** The required greenboot script that stopped the run, when edge-agent's checks named nothing. */
function otherScript(r: BootRecord): { id: string; message?: string; reason: string } | undefined {
  const gs = r.greenbootScripts;
  if (!gs?.firstRequiredFailure) return undefined;
  const run = {
    firstRequiredFailure: gs.firstRequiredFailure,
    scripts: gs.scripts.map((x) => ({ ...x, kind: x.kind as 'required', outcome: x.outcome as 'failure' })),
  };
  return { id: gs.firstRequiredFailure, message: summarizeRequiredFailure(run), reason: 'greenboot-script-failed' };
}

/** Records may hold text from checks, scripts or another version: every field is escaped. */
export function renderHistory(entries: readonly HistoryEntry[]): string {
  if (entries.length === 0) return 'No boots recorded yet.\n';
  const lines = entries
    .map((entry) => mapStrings(entry, (text) => displayText(text)))
    .map((e) => {
      const when = e.at.replace('T', ' ').slice(0, 19);
      if (e.kind === 'rollback') return `${when}  ROLLBACK  ${e.message}`;
      const verdict = (e.verdict ?? 'unknown').toUpperCase().padEnd(10);
      const attempt = e.attempt ? ` attempt ${e.attempt}` : '';
      const reason = e.reason ? `\n${' '.repeat(21)}failed: ${e.reason}` : '';
      const cleanup = e.actions?.length
        ? `\n${' '.repeat(21)}pre-rollback: ${e.actions.map((a) => `${a.id} ${a.outcome}`).join(', ')}`
        : '';
      const newer = e.newer ? `\n${' '.repeat(21)}${e.newer}` : '';
      const scripts = (e.scripts ?? [])
        .map(
          (x) =>
            `\n${' '.repeat(21)}script failed: ${x.name} (${x.kind}${x.exitCode === undefined ? '' : `, exit ${x.exitCode}`})${x.lastLine ? `: ${x.lastLine}` : ''}`,
        )
        .join('');
      return `${when}  ${verdict}${e.deployment ?? 'unknown deployment'}${attempt}  boot ${e.bootId.slice(0, 8)}${reason}${scripts}${cleanup}${newer}`;
    });
  return `${lines.join('\n')}\n`;
}
