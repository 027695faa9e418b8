// The human view of a check run, rendered from the same object `--json` prints.
import type { CheckResult, RunVerdict } from './check-result.js';
import { displayText } from './terminal-text.js';

export interface CheckRunView {
  bootId: string;
  classFilter?: string;
  dryRun: boolean;
  verdict: RunVerdict;
  budgetLine: string;
  results: CheckResult[];
  warnings: string[];
}

const labels: Record<string, string> = {
  pass: 'PASS',
  fail: 'FAIL',
  skipped: 'SKIP',
  timeout: 'TIMEOUT',
  terminated: 'STOPPED',
};

/** Messages may quote a check script's output: escaped before they reach the terminal. */
export function renderCheckRun(view: CheckRunView): string {
  const width = Math.max(8, ...view.results.map((r) => r.id.length));
  const lines = [
    `edge-agent check${view.classFilter ? ` --class ${view.classFilter}` : ''}${view.dryRun ? ' (dry run: no verdict recorded)' : ''}`,
    `  ${view.budgetLine}`,
    ...view.warnings.map((w) => `  warning: ${displayText(w)}`),
    '',
    ...view.results.map(
      (r) =>
        `  ${(labels[r.outcome] ?? r.outcome).padEnd(7)} ${r.id.padEnd(width)} ${formatDuration(r.durationMs).padStart(7)}  ${displayText(r.message)}`,
    ),
    '',
    resultLine(view),
  ];
  return `${lines.join('\n')}\n`;
}

function resultLine(view: CheckRunView): string {
  if (view.results.some((r) => r.outcome === 'terminated'))
    return 'Result: STOPPED (terminated before every check decided; greenboot counts this as a failure)';
  const warnings = view.results.filter(
    (r) => r.class === 'wanted' && (r.outcome === 'fail' || r.outcome === 'timeout'),
  ).length;
  if (view.verdict !== 'pass') return 'Result: FAIL';
  // A bare "PASS" beside a failed wanted check read as a contradiction: say WARN, and that the
  // boot is not affected, since greenboot ignores wanted scripts' exit codes.
  if (warnings === 0) return 'Result: PASS';
  return `Result: WARN (${warnings} wanted check${warnings > 1 ? 's' : ''} reported a problem; wanted checks do not fail the boot)`;
}

/** One journal line per finished check, in the spirit of greenboot's `Script 'X' SUCCESS`. */
export function checkSummaryLine(result: CheckResult): string {
  const word =
    result.outcome === 'pass'
      ? 'SUCCESS'
      : result.outcome === 'skipped'
        ? 'SKIPPED'
        : result.outcome === 'terminated'
          ? 'TERMINATED'
          : 'FAILURE';
  return `Check '${result.id}' (${result.class}) ${word} in ${formatDuration(result.durationMs)}: ${result.message}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  return `${Math.floor(ms / 60_000)}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;
}
