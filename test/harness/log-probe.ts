// A tiny program run inside a virtual device to prove edge-agent's logger against real journald:
// it logs one line per level with structured fields, in whatever format the logger detects.
import { createLogger } from '../../agent/host/log.js';

const log = createLogger({
  level: 'debug',
  identifier: process.env.PROBE_IDENTIFIER,
  journalCommand: process.env.PROBE_JOURNAL_COMMAND,
});
const check = log.child({ check: 'microshift', attempt: 2, deployment: 'abc123' });
check.info({ outcome: 'pass' }, 'probe info line');
check.warn({ outcome: 'warn' }, 'probe warning line');
check.error({ outcome: 'fail' }, 'probe error line');
// No fields: a plain line, which must still come after the structured records above.
log.info('probe plain line');
log.flush();
