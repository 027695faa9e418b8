// An outbox writer and deliverer in its own process, for the outbox kill -9 bench (bundled, see
// bench/outbox-kills.ts). Prints, each with writeSync so a line is out before the next step:
//   q <id>  enqueue() resolved: the event is confirmed as queued
//   d <id>  the event was handed to the "hub" (peeked and about to be acked)
//   a <id>  ack() resolved: the event is gone from the outbox
// Mode `work` queues and delivers until killed; mode `drain` delivers what is left and exits.
import { writeSync } from 'node:fs';
import { systemClock } from '../../../agent/host/clock.js';
import { createHostFs } from '../../../agent/host/fs.js';
import { openOutbox } from '../../../agent/hub/outbox.js';

const [mode, dir] = process.argv.slice(2) as ['work' | 'drain', string];
const say = (line: string) => writeSync(1, `${line}\n`);
const outbox = await openOutbox(
  dir,
  { maxBytes: 64 << 20, maxEvents: 1_000_000 },
  { fs: createHostFs('/'), clock: systemClock, log: { warn: (m) => writeSync(2, `${m}\n`) }, segmentBytes: 16 << 10 },
);
say('ready');

async function deliver(n: number): Promise<number> {
  const items = await outbox.peek(n);
  const ids = items.flatMap((i) => (i.kind === 'event' ? [i.event.id] : [i.report.id]));
  for (const id of ids) say(`d ${id}`);
  await outbox.ack(ids);
  for (const id of ids) say(`a ${id}`);
  return ids.length;
}

if (mode === 'drain') {
  while ((await deliver(100)) > 0);
  say('empty');
  await outbox.close();
} else {
  for (let i = 0; ; i++) {
    const id = `${process.pid}-${i}`;
    await outbox.enqueue({
      id,
      type: 'check-failed',
      time: new Date().toISOString(),
      body: { n: i, pad: 'x'.repeat(i % 300) },
    });
    say(`q ${id}`);
    if (i % 3 === 2) await deliver(1 + (i % 5));
  }
}
