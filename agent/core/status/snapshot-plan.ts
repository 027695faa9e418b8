// The writer's half of the status snapshot (status-snapshot.ts): what the daemon puts in it.
import { STATUS_SCHEMA_VERSION } from './enums.js';
import type { StatusResult } from './schema.js';
import { normalBootId, type StatusSnapshot } from './snapshot.js';
import { withoutScriptOutput } from './status.js';

/** The snapshot to write for `result`, gathered now in boot `bootId`, without what is not for everyone. */
export function planSnapshot(result: StatusResult, bootId: string, now: number): StatusSnapshot {
  const scripts = result.scripts && withoutScriptOutput(result.scripts);
  const shared: StatusResult = {
    ...result,
    ...(scripts && { scripts }),
    agent: { ...result.agent, daemon: { ...result.agent.daemon, answered: true } },
  };
  return {
    schema: STATUS_SCHEMA_VERSION,
    bootId: normalBootId(bootId),
    gatheredAt: new Date(now).toISOString(),
    result: shared,
  };
}
