// Reads one boot's greenboot run back out of its journal (pure: entries in, facts out), from the
// lines the greenboot stand-in and its units write.
import type { JournalEntry } from '../vdev.js';

export type ScriptKind = 'required' | 'wanted' | 'green' | 'red';
export type ScriptOutcome = 'success' | 'failure' | 'skipped' | 'disabled';

export interface ScriptRun {
  name: string;
  dir: string;
  kind: ScriptKind;
  outcome: ScriptOutcome;
  exitCode?: number;
  unit: string;
  /** What the script logged (through systemd-cat, identifier = its name). */
  output: string[];
}

export interface GreenbootRun {
  /** Whether greenboot's health check ran in this boot at all. */
  ran: boolean;
  verdict: 'green' | 'red' | 'none';
  scripts: ScriptRun[];
  fallbackDetected: boolean;
  manualIntervention: boolean;
  /** Every line logged by greenboot's units in this boot, as `identifier: message`. */
  log: string[];
}

export const greenbootUnits = [
  'greenboot-rpm-ostree-grub2-check-fallback.service',
  'greenboot-healthcheck.service',
  'greenboot-grub2-set-success.service',
  'greenboot-task-runner.service',
  'redboot-task-runner.service',
  'greenboot-set-rollback-trigger.service',
  'redboot-auto-reboot.service',
];

const kinds: Record<string, ScriptKind> = { 'Required Health Check': 'required', 'Wanted Health Check': 'wanted', Green: 'green', Red: 'red' };

// Lines of a script that exits at once may lack _SYSTEMD_UNIT: journald looks the unit up from
// the sender's PID, which may be gone by then. Such lines still carry the script's identifier.
function unitless(e: JournalEntry): boolean {
  return e._SYSTEMD_UNIT === undefined && e._TRANSPORT === 'stdout' && (e.SYSLOG_IDENTIFIER ?? '').endsWith('.sh');
}

/** Logged by greenboot's units or by one of its scripts. */
export function isGreenbootEntry(e: JournalEntry): boolean {
  return greenbootUnits.includes(e._SYSTEMD_UNIT ?? '') || unitless(e);
}

export function summarizeGreenbootJournal(entries: JournalEntry[]): GreenbootRun {
  const own = entries.filter(isGreenbootEntry);
  const run: GreenbootRun = { ran: false, verdict: 'none', scripts: [], fallbackDetected: false, manualIntervention: false, log: [] };
  let dir = '';
  let kind: ScriptKind = 'required';
  for (const entry of own) {
    const message = String(entry.MESSAGE);
    run.log.push(`${entry.SYSLOG_IDENTIFIER ?? '?'}: ${message}`);
    if (entry.SYSLOG_IDENTIFIER === 'greenboot') {
      const heading = /^Running (.+) Scripts in '(.+)'\.\.\.$/.exec(message);
      if (heading?.[1] && heading[2]) {
        kind = kinds[heading[1]] ?? kind;
        dir = heading[2];
        continue;
      }
      const result = /^Script '(.+)' (SUCCESS|FAILURE \(exit code '(\d+)'\)|SKIPPED|DISABLED)/.exec(message);
      if (result?.[1] && result[2]) {
        const outcome: ScriptOutcome = result[2] === 'SUCCESS' ? 'success' : result[2] === 'SKIPPED' ? 'skipped' : result[2] === 'DISABLED' ? 'disabled' : 'failure';
        const name = result[1];
        const unit = entry._SYSTEMD_UNIT ?? '';
        const ranHere = (e: JournalEntry) => e.SYSLOG_IDENTIFIER === name && (e._SYSTEMD_UNIT === unit || unitless(e));
        const output = outcome === 'success' || outcome === 'failure' ? own.filter(ranHere).map((e) => String(e.MESSAGE)) : [];
        run.scripts.push({ name, dir, kind, outcome, unit, output, ...(result[3] ? { exitCode: Number(result[3]) } : outcome === 'success' ? { exitCode: 0 } : {}) });
        continue;
      }
    }
    if (entry._SYSTEMD_UNIT === 'greenboot-healthcheck.service') {
      run.ran = true;
      if (message.startsWith('Boot Status is GREEN')) run.verdict = 'green';
      if (message.startsWith('Boot Status is RED')) run.verdict = 'red';
    }
    if (message.startsWith('FALLBACK BOOT DETECTED!')) run.fallbackDetected = true;
    if (message.includes('Manual intervention necessary')) run.manualIntervention = true;
  }
  return run;
}
