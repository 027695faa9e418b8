// Numbers and lines of the benchmarks: figures, never pass/fail. A figure against a budget is
// printed as a ratio (measured / budget: below 1 is within the budget).

export interface LatencyFigure {
  name: string;
  /** Runs that produced a measurement / runs attempted. */
  measured: number;
  runs: number;
  medianMs?: number;
  maxMs?: number;
  minMs?: number;
  budgetMs: number;
  /** max / budget (the budget is a bound on every run, so the worst run is what counts). */
  ratio?: number;
  samplesMs: number[];
  errors: string[];
  /** Free-form details per run (reason codes, cross-checks). */
  notes?: string[];
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function round(value: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function latencyFigure(
  name: string,
  budgetMs: number,
  samplesMs: number[],
  errors: string[],
  runs: number,
  notes?: string[],
): LatencyFigure {
  const figure: LatencyFigure = {
    name,
    measured: samplesMs.length,
    runs,
    budgetMs,
    samplesMs: samplesMs.map((s) => round(s)),
    errors,
    ...(notes?.length ? { notes } : {}),
  };
  if (samplesMs.length === 0) return figure;
  const max = Math.max(...samplesMs);
  return {
    ...figure,
    medianMs: round(median(samplesMs)),
    maxMs: round(max),
    minMs: round(Math.min(...samplesMs)),
    ratio: round(max / budgetMs, 2),
  };
}

/** `readiness-detection: median 412 ms, max 690 ms (budget 1000 ms, ratio 0.69) [5/5 runs]` */
export function latencyLine(f: LatencyFigure, setting?: string): string {
  if (f.medianMs === undefined)
    return `${f.name}: NO MEASUREMENT (${f.errors.length} errors in ${f.runs} runs) (budget ${f.budgetMs} ms)`;
  const runs = [
    f.measured === f.runs ? `${f.runs} runs` : `${f.measured}/${f.runs} runs measured`,
    ...(setting ? [setting] : []),
  ].join(', ');
  return `${f.name}: median ${f.medianMs} ms, max ${f.maxMs} ms (budget ${f.budgetMs} ms, ratio ${f.ratio?.toFixed(2)}) [${runs}, min ${f.minMs} ms]`;
}

/** One run's log line, to stderr so stdout stays the figures. */
export function progress(line: string): void {
  process.stderr.write(`  ${line}\n`);
}
