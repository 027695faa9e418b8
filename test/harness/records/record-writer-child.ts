// A boot-record writer in its own process, driven by lines on stdin, for the kill -9 tests and
// bench of the record lock (run bundled, see record-writers.ts):
//   hold      take the record lock inside an update, leave a temp file as a writer killed
//             between its temp write and its rename would, print `held` and spin until killed
//   inc N     make N updates that each add 1 to the record's counter; print `done N`
import { writeFileSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createBootRecords } from '../../../agent/host/record-store.js';
import { systemClock } from '../../../agent/host/clock.js';
import { createHostFs } from '../../../agent/host/fs.js';

const [root, dir, bootId] = process.argv.slice(2) as [string, string, string];
const fs = createHostFs(root);
const records = createBootRecords({ fs, clock: systemClock, dir, warn: (m) => writeSync(2, `${m}\n`) });
const say = (line: string) => writeSync(1, `${line}\n`);

createInterface({ input: process.stdin }).on('line', (line) => {
  const [command, arg] = line.trim().split(/\s+/);
  if (command === 'hold') {
    void records.update(bootId, () => {
      // The temp-file name fs.ts gives: .<target>.<pid>.<ms>.<random>.tmp
      writeFileSync(fs.resolve(`${dir}/.${bootId}.json.${process.pid}.${Date.now()}.killed.tmp`), '{"partial":');
      say('held');
      // Synchronous, so the lock stays held until SIGKILL.
      for (;;);
    });
  } else if (command === 'inc') {
    void (async () => {
      const n = Number(arg);
      for (let i = 0; i < n; i++)
        await records.update(bootId, (r) => void (r.counter = (typeof r.counter === 'number' ? r.counter : 0) + 1));
      say(`done ${n}`);
    })().catch((error: unknown) => say(`error ${(error as Error).message}`));
  }
});
say('ready');
