// Ordering of ISO timestamps and other machine text by code unit. String#localeCompare would do
// the same for these strings, but its first call loads ICU's collator: ~3 MB more RSS in a daemon
// that has a 60 MB budget and never shows the order to a person in a locale.
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
