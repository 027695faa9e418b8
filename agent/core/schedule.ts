// Cron expressions (seconds first) for the daemon's "every N seconds" settings. Cron fields divide
// a minute, hour or day, so an interval is rounded to the nearest one that does (the log says which).
const divisors = (n: number) => Array.from({ length: n }, (_, i) => i + 1).filter((d) => n % d === 0);

export function cronEvery(seconds: number): { expression: string; seconds: number } {
  if (seconds < 60) {
    const s = nearest(divisors(60), seconds);
    return { expression: `*/${s} * * * * *`, seconds: s };
  }
  if (seconds < 3600) {
    const m = nearest(divisors(60), Math.round(seconds / 60));
    return { expression: `0 */${m} * * * *`, seconds: m * 60 };
  }
  const h = nearest(divisors(24), Math.round(seconds / 3600));
  return { expression: `0 0 */${h} * * *`, seconds: h * 3600 };
}

function nearest(options: number[], value: number): number {
  return options.reduce((best, o) => (Math.abs(o - value) < Math.abs(best - value) ? o : best), options[0] as number);
}
