// What the boot checks run on when the main config.yaml is broken. Refusing to run (exit 78)
// makes every boot red after one typo, and greenboot then rolls back a healthy update or, with
// no update on trial, reports every boot as failed. Running on bare defaults is no better: the
// checks the operator declared would silently pass by not running. So the broken file is
// salvaged section by section:
// - a top-level section with no problem is kept as written;
// - a section with a problem (or an unknown key) is dropped and its defaults apply;
// - if the declared checks themselves cannot be read (a problem under `checks`, an unknown key
//   that looks like it, or a file that is not YAML at all and mentions checks), that is
//   reported as such: the caller fails the boot, since those checks cannot be said to pass.
import type { LocatedProblem } from './problems.js';
import { ConfigSchema } from './schema.js';

/** Whether the operator's own checks survived: kept, none were declared, or unreadable. */
export type DeclaredChecks = 'kept' | 'none' | 'unreadable';

export interface Salvaged {
  /** The data to validate and apply drop-ins over. */
  data: Record<string, unknown>;
  /** Top-level sections of the main file that were dropped (their defaults apply). */
  dropped: string[];
  declaredChecks: DeclaredChecks;
}

/** `dropped` of a file nothing could be taken from (not YAML, not readable). */
export const WHOLE_FILE = '(the whole file)';

// Sections whose loss would make declared checks vanish or change which of them run.
const CHECK_SECTIONS = ['checks', 'disabledChecks'];

/**
 * Salvage a main file that failed validation (`data` is what it parsed to) or did not parse
 * (`data` undefined; `text` is its content when it could be read at all).
 */
export function salvageMainConfig(
  problems: readonly LocatedProblem[],
  data: Record<string, unknown> | undefined,
  text: string | undefined,
): Salvaged {
  if (data === undefined) {
    // Nothing can be taken from a file that is not YAML. Whether it declared checks can still be
    // told from its text: no line outside comments mentions "checks" -> it declared none.
    const mentions = text === undefined || text.split('\n').some((line) => !/^\s*#/.test(line) && /checks/i.test(line));
    return { data: {}, dropped: [WHOLE_FILE], declaredChecks: mentions ? 'unreadable' : 'none' };
  }
  const bad = new Set<string>();
  let checksLost = false;
  for (const problem of problems) {
    const top = problem.path.split(/[.[]/)[0] ?? '';
    if (top === '') {
      // A problem of the file as a whole (e.g. duplicate check ids across entries): nothing to
      // drop selectively, and it may concern the checks.
      checksLost ||= 'checks' in data;
      continue;
    }
    bad.add(top);
    if (CHECK_SECTIONS.includes(top) || CHECK_SECTIONS.some((key) => problem.message.includes(`did you mean ${key}?`)))
      checksLost = true;
  }
  const kept = Object.fromEntries(Object.entries(data).filter(([key]) => !bad.has(key)));
  // A refinement across sections can still fail; then only the defaults are certain.
  if (!ConfigSchema.safeParse(kept).success)
    return {
      data: {},
      dropped: Object.keys(data),
      declaredChecks: checksLost || 'checks' in data ? 'unreadable' : 'none',
    };
  const declaredChecks: DeclaredChecks = checksLost
    ? 'unreadable'
    : Array.isArray(data.checks) && data.checks.length > 0
      ? 'kept'
      : 'none';
  return { data: kept, dropped: [...bad], declaredChecks };
}

/** One line for the journal: what the checks run on. */
export function describeFallback(
  file: string,
  fallback: { dropped: string[]; declaredChecks: DeclaredChecks },
): string {
  const sections = fallback.dropped.includes(WHOLE_FILE)
    ? 'the defaults alone (nothing of the file could be used)'
    : fallback.dropped.length
      ? `defaults for ${fallback.dropped.join(', ')}`
      : 'the file as written';
  const checks = {
    kept: 'your declared checks run as written',
    none: 'no declared checks',
    unreadable: 'your declared checks cannot be read, so the required checks FAIL',
  }[fallback.declaredChecks];
  return `${file} is invalid: the boot checks run on ${sections} (${checks}); fix it and run edge-agent config validate`;
}
