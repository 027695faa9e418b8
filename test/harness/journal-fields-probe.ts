// Run inside a virtual device by bench/journal-fields.ts: the cost of structured journal records
// sent through `logger --journald` against plain lines, in wall time and in this process's RSS.
// Prints one JSON line of figures on fd 3 (stdout and stderr are the journal here).
import { writeSync } from 'node:fs';
import { createLogger } from '../../agent/host/log.js';

const count = Number(process.env.PROBE_RECORDS ?? 200);
const log = createLogger({ format: 'journal', identifier: 'edge-agent-bench' });
const flushed = () => new Promise<void>((resolve) => log.flush(() => resolve()));
// With --expose-gc, RSS is read after a full collection: what stays, not garbage not yet swept.
const gc = (globalThis as { gc?: () => void }).gc;
const rssMb = () => {
  gc?.();
  return process.memoryUsage.rss() / 1048576;
};

// Warm up both paths (module loading, first spawn) before measuring.
log.info('bench warm-up plain');
log.info({ phase: 'warm-up' }, 'bench warm-up structured');
await flushed();
const rssBefore = rssMb();

let start = performance.now();
for (let i = 0; i < count; i++) log.info(`bench plain ${i}`);
await flushed();
const plainMs = (performance.now() - start) / count;

start = performance.now();
for (let i = 0; i < count; i++) log.info({ outcome: 'pass', seq: i }, `bench structured ${i}`);
await flushed();
const structuredMs = (performance.now() - start) / count;
const rssAfter = rssMb();

const figures = {
  records: count,
  plainMsPerRecord: plainMs,
  structuredMsPerRecord: structuredMs,
  rssBeforeMb: rssBefore,
  rssAfterMb: rssAfter,
  maxRssMb: process.resourceUsage().maxRSS / 1024,
};
writeSync(3, `${JSON.stringify(figures)}\n`);
