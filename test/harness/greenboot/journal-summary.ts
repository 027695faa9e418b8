// Reads one boot's greenboot run back out of its journal (pure: entries in, facts out), from the
// lines bash greenboot 0.15.8/0.15.9 writes (the stand-in writes the same ones): "Running
// Required Health Check Scripts..." (no directory named: the first such heading of a run is
// /usr/lib/greenboot's, the second /etc/greenboot's), "Script 'X' SUCCESS", "Script 'X' FAILURE
// (exit code 'N'). Continuing...", "'X' was skipped due to a previous failure", "'X' was skipped,
// as specified in config", and "Boot Status is GREEN/RED ..." from the green/red task runners.
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

const kinds: Record<string, ScriptKind> = {
  'Required Health Check': 'required',
  'Wanted Health Check': 'wanted',
  Green: 'green',
  Red: 'red',
};
const subdirs: Record<ScriptKind, string> = {
  required: 'check/required.d',
  wanted: 'check/wanted.d',
  green: 'green.d',
  red: 'red.d',
};
const prefixes = ['/usr/lib/greenboot', '/etc/greenboot'];

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
  const run: GreenbootRun = {
    ran: false,
    verdict: 'none',
    scripts: [],
    fallbackDetected: false,
    manualIntervention: false,
    log: [],
  };
  let dir = '';
  let kind: ScriptKind = 'required';
  // Headings seen per kind and unit: greenboot walks the prefixes in order, one heading each.
  const headings = new Map<string, number>();
  for (const entry of own) {
    const message = String(entry.MESSAGE);
    const unit = entry._SYSTEMD_UNIT ?? '';
    run.log.push(`${entry.SYSLOG_IDENTIFIER ?? '?'}: ${message}`);
    if (unit === 'greenboot-healthcheck.service') run.ran = true;
    if (entry.SYSLOG_IDENTIFIER === 'greenboot') {
      const heading = /^Running (Required Health Check|Wanted Health Check|Green|Red) Scripts\.\.\.$/.exec(message);
      if (heading?.[1]) {
        kind = kinds[heading[1]] ?? kind;
        const key = `${unit}/${kind}`;
        const seen = headings.get(key) ?? 0;
        headings.set(key, seen + 1);
        dir = `${prefixes[Math.min(seen, prefixes.length - 1)]}/${subdirs[kind]}`;
        continue;
      }
      const script = scriptLine(message);
      if (script) {
        const ranHere = (e: JournalEntry) =>
          e.SYSLOG_IDENTIFIER === script.name && (e._SYSTEMD_UNIT === unit || unitless(e));
        const output =
          script.outcome === 'success' || script.outcome === 'failure'
            ? own.filter(ranHere).map((e) => String(e.MESSAGE))
            : [];
        run.scripts.push({ ...script, dir, kind, unit, output });
        continue;
      }
      if (message.startsWith('Boot Status is GREEN')) run.verdict = 'green';
      if (message.startsWith('Boot Status is RED')) run.verdict = 'red';
    }
    if (message.startsWith('FALLBACK BOOT DETECTED!')) run.fallbackDetected = true;
    if (message.includes('Manual intervention necessary')) run.manualIntervention = true;
  }
  // A red check whose red.d runner never logged (e.g. the boot was cut short) is still red.
  if (run.verdict === 'none' && run.scripts.some((s) => s.kind === 'required' && s.outcome === 'failure'))
    run.verdict = 'red';
  return run;
}

/** One of greenboot's per-script lines, or undefined. */
function scriptLine(message: string): Pick<ScriptRun, 'name' | 'outcome' | 'exitCode'> | undefined {
  const success = /^Script '(.+)' SUCCESS$/.exec(message);
  if (success?.[1]) return { name: success[1], outcome: 'success', exitCode: 0 };
  const failure = /^Script '(.+)' FAILURE \(exit code '(\d+)'\)/.exec(message);
  if (failure?.[1]) return { name: failure[1], outcome: 'failure', exitCode: Number(failure[2]) };
  const skipped = /^'(.+)' was skipped( due to a previous failure|, as specified in config)$/.exec(message);
  if (skipped?.[1]) return { name: skipped[1], outcome: skipped[2]?.startsWith(' due') ? 'skipped' : 'disabled' };
  return undefined;
}
