// The preflight result as JSON and as lines for a person, both from the same object.
// Plain types here: only tests and the schema export load zod (schema.ts), not the command.
import type { CompatFact } from '../readiness/compat.js';
import type { ItemStatus, PreflightFacts, PreflightItem, PreflightResult } from './plan.js';

export const PREFLIGHT_SCHEMA_VERSION = 1;

export interface PreflightJson {
  schema: typeof PREFLIGHT_SCHEMA_VERSION;
  status: ItemStatus;
  exitCode: number;
  checkedAt: string;
  items: PreflightItem[];
  compatibility: CompatFact;
  offline: {
    tree: 'staged' | 'booted';
    noRegistry: boolean;
    why: string;
    total?: number;
    missingCount?: number;
    missing?: string[];
    problem?: string;
  };
}

/** 0 every item passed, 1 an item failed, 2 warnings only (the exit-code table says the same). */
export const preflightExitCodes: Record<ItemStatus, number> = { pass: 0, fail: 1, warn: 2 };

export function preflightJson(result: PreflightResult, facts: PreflightFacts, checkedAt: Date): PreflightJson {
  const off = facts.offline;
  return {
    schema: PREFLIGHT_SCHEMA_VERSION,
    status: result.status,
    exitCode: preflightExitCodes[result.status],
    checkedAt: checkedAt.toISOString(),
    items: result.items,
    compatibility: facts.compat,
    offline: {
      tree: off.tree,
      noRegistry: off.noRegistry,
      why: off.why,
      ...(off.result?.ok
        ? {
            total: off.result.value.total,
            missingCount: off.result.value.missingCount,
            missing: off.result.value.missing,
          }
        : off.result
          ? { problem: off.result.reason }
          : {}),
    },
  };
}

const marks: Record<ItemStatus, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL' };

export function renderPreflight(json: PreflightJson): string {
  const lines = json.items.map((i) => `${marks[i.status]}  ${i.title}: ${i.reason}`);
  const counts = (['fail', 'warn', 'pass'] as const)
    .map((s) => `${json.items.filter((i) => i.status === s).length} ${s}`)
    .join(', ');
  const verdict =
    json.status === 'pass'
      ? 'ready for an update'
      : json.status === 'warn'
        ? 'an update may proceed; read the warnings'
        : 'not ready for an update';
  return `${lines.join('\n')}\n\nPreflight: ${verdict} (${counts})\n`;
}
