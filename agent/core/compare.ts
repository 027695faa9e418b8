// Sorting by code unit, for the machine text we sort: ISO times, file names, ids. Not
// localeCompare: the first call maps ICU's collation data and code from the node binary, ~5 MB of
// resident memory for the life of the process (the daemon's included), and a locale's order is
// not what ISO times or systemd's drop-in order need anyway.
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
