// Runs the bundle's items: a few at a time, each under its own time limit and all under the
// run's cap, then redacts each output and cuts it to the size caps with a visible marker.
import type { BundleItem, Limits } from './items.js';

export interface ManifestRow {
  name: string;
  command: string;
  exit: number | null;
  durationMs: number;
  bytes: number;
  /** Bytes before cutting, when the item was cut. */
  cutFrom?: number;
  note?: string;
  /** The command's stderr, clipped: a warning or the reason for a failure. */
  stderr?: string;
}

const STDERR_MAX = 2000;

export interface Collected {
  rows: ManifestRow[];
  data: Map<string, Buffer>;
  timedOut: boolean;
}

// Two cores are common on edge devices and MicroShift runs beside us: a few items at once keeps
// the run short without starving the workload.
const PARALLEL = 3;

export function cutMarker(kept: number, total: number): string {
  return `\n[edge-agent support-bundle: cut here, ${kept} of ${total} bytes kept]\n`;
}

/** `text` cut to `max` bytes (marker included), or as it is when it fits. */
export function cutToSize(text: Buffer, max: number): { data: Buffer; cut: boolean } {
  if (text.length <= max) return { data: text, cut: false };
  const room = max - cutMarker(max, text.length).length;
  // No room left even for the marker: the item is left out whole (the MANIFEST still lists it).
  if (room <= 0) return { data: Buffer.alloc(0), cut: true };
  return { data: Buffer.concat([text.subarray(0, room), Buffer.from(cutMarker(room, text.length))]), cut: true };
}

export async function collectItems(
  items: BundleItem[],
  limits: Limits,
  scrub: (text: string) => string,
  options: { signal: AbortSignal; now: () => number },
): Promise<Collected> {
  const started = options.now();
  const overall = AbortSignal.any([options.signal, AbortSignal.timeout(limits.maxMs)]);
  const outputs: Array<{ row: ManifestRow; text: string }> = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      const item = items[index] as BundleItem;
      const begin = options.now();
      const remaining = limits.maxMs - (begin - started);
      let row: ManifestRow;
      let text = '';
      if (remaining <= 0 || overall.aborted) {
        row = manifestRow(item, null, 'skipped: the run cap was reached');
      } else {
        const timeoutMs = Math.min(item.timeoutMs, remaining);
        const signal = AbortSignal.any([overall, AbortSignal.timeout(timeoutMs)]);
        try {
          const out = await item.collect(signal, timeoutMs);
          text = out.text;
          row = manifestRow(item, out.exit ?? null, out.note);
          if (out.stderr?.trim()) row.stderr = out.stderr.trim();
        } catch (error) {
          row = manifestRow(item, null, `failed: ${(error as Error).message}`);
        }
        row.durationMs = options.now() - begin;
      }
      outputs[index] = { row, text };
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, items.length) }, worker));
  // Cut in item order, so the first items (status, records, config) are the ones kept whole.
  let budget = limits.maxBytes;
  const data = new Map<string, Buffer>();
  const rows: ManifestRow[] = [];
  for (const { row, text } of outputs) {
    const raw = Buffer.from(scrub(text), 'utf8');
    const { data: kept, cut } = cutToSize(raw, Math.min(limits.maxItemBytes, budget));
    budget -= kept.length;
    row.bytes = kept.length;
    if (cut) row.cutFrom = raw.length;
    if (row.note) row.note = scrub(row.note);
    if (row.stderr) row.stderr = clip(scrub(row.stderr), STDERR_MAX);
    data.set(row.name, kept);
    rows.push(row);
  }
  return { rows, data, timedOut: options.now() - started >= limits.maxMs };
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}...` : text);

/** The MANIFEST: one line per item, in a fixed column order a person and `column -t` can read. */
export function renderManifest(rows: ManifestRow[], header: string[]): string {
  const lines = [...header, '', 'item\tcommand\texit\tduration_ms\tbytes\tcut\tnote (full stderr in manifest.json)'];
  for (const r of rows)
    lines.push(
      [
        r.name,
        r.command,
        r.exit ?? '-',
        r.durationMs,
        r.bytes,
        r.cutFrom === undefined ? 'no' : `yes (from ${r.cutFrom})`,
        [r.note, r.stderr && `stderr: ${clip(r.stderr.replace(/\s+/g, ' '), 200)}`].filter(Boolean).join('; '),
      ].join('\t'),
    );
  return `${lines.join('\n')}\n`;
}

/** A MANIFEST row before its time and size are known (filled in once the item is written). */
function manifestRow(item: BundleItem, exit: number | null, note: string | undefined): ManifestRow {
  return { name: item.name, command: item.command, exit, durationMs: 0, bytes: 0, note };
}
