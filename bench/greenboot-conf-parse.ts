// Benchmark: parsing a large /etc/greenboot/greenboot.conf. The parser once counted lines from
// the top of the file for every statement, so 16 000 lines took seconds (quadratic). The figure
// is the scaling ratio: the cost per line of a 4x larger file over that of the smaller one
// (about 1 for a linear parser, about 4 for a quadratic one), with the times alongside.
//
// Env: BENCH_RUNS  repetitions per size, the median counts (default 5).
import { parseGreenbootConf } from '../agent/config/greenboot-conf.js';
import { median, round } from './lib/figures.js';

const runs = Number(process.env.BENCH_RUNS ?? 5);
const SIZES = [16_000, 64_000];

/** Comments, assignments, a multi-line array and lines that are not assignments, repeated. */
function confOf(lines: number): string {
  const block = [
    '# comment',
    'KEY_{n}="value {n}"',
    'DISABLED_HEALTHCHECKS=(',
    '  "a.sh"',
    ')',
    'echo not an assignment {n}',
  ];
  return Array.from({ length: lines }, (_, i) => (block[i % block.length] as string).replaceAll('{n}', String(i))).join(
    '\n',
  );
}

const timings = SIZES.map((lines) => {
  const text = confOf(lines);
  const samples: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    parseGreenbootConf(text);
    samples.push(performance.now() - started);
  }
  const ms = median(samples);
  process.stdout.write(`greenboot.conf of ${lines} lines: ${round(ms, 1)} ms (median of ${runs})\n`);
  return { lines, ms };
});
const [small, large] = timings as [{ lines: number; ms: number }, { lines: number; ms: number }];
const scaling = large.ms / large.lines / (small.ms / small.lines);
process.stdout.write(
  `cost per line at ${large.lines} lines / at ${small.lines} lines: ${round(scaling, 2)} (linear: ~1, quadratic: ~${large.lines / small.lines})\n`,
);
process.stdout.write(
  `${JSON.stringify({ bench: 'greenboot-conf-parse', runs, timings: timings.map((t) => ({ lines: t.lines, ms: round(t.ms, 1) })), scaling: round(scaling, 2) })}\n`,
);
