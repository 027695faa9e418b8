// Ages the way the API server's table printer writes them ("45s", "3m12s", "5h", "2d3h").
//
// What it simulates: the apiserver's short human duration, which keeps two units while the
// larger one is small and drops the smaller one as the value grows, so `kubectl get` shows AGE
// and LAST SEEN as a real MicroShift would. What it leaves out: nothing a single-node cluster
// that lives for minutes could show (the year forms are kept for completeness).

const second = 1000;
const minute = 60 * second;
const hour = 60 * minute;
const day = 24 * hour;
const year = 365 * day;

/** `ms` as the table printer shows an elapsed time; negative beyond a second is `<invalid>`. */
export function humanDuration(ms: number): string {
  if (ms < -second) return '<invalid>';
  if (ms < 0) return '0s';
  const pair = (big: number, bigUnit: string, small: number, smallUnit: string) =>
    small === 0 ? `${big}${bigUnit}` : `${big}${bigUnit}${small}${smallUnit}`;
  const s = Math.floor(ms / second);
  if (s < 120) return `${s}s`;
  const m = Math.floor(ms / minute);
  if (m < 10) return pair(m, 'm', s % 60, 's');
  if (m < 180) return `${m}m`;
  const h = Math.floor(ms / hour);
  if (h < 8) return pair(h, 'h', m % 60, 'm');
  if (h < 48) return `${h}h`;
  const d = Math.floor(ms / day);
  if (h < 24 * 8) return pair(d, 'd', h % 24, 'h');
  if (ms < 2 * year) return `${d}d`;
  const y = Math.floor(ms / year);
  if (ms < 8 * year) return pair(y, 'y', d % 365, 'd');
  return `${y}y`;
}

/** The age of an RFC 3339 timestamp at `now`; `<unknown>` when there is none, as kubectl prints. */
export function ageOf(timestamp: unknown, now: number): string {
  if (typeof timestamp !== 'string' || timestamp === '') return '<unknown>';
  return humanDuration(now - Date.parse(timestamp));
}
