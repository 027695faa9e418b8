// `edge-agent support-bundle`: one archive an operator can send to whoever helps them. Collects
// the items (items.ts, sources.ts) under time and size caps, writes
// /var/tmp/edge-agent-support-<host>-<time>.tar.gz (0600), prints its path and sha256, and with
// --upload sends it to the hub service.
import { hostname } from 'node:os';
import { StateWriteError, UsageError } from '../../errors.js';
import { ExitCode } from '../../exit-codes.js';
import { defaultConfig, type Config } from '../../config/schema.js';
import { makeScrubber } from '../../core/bundle-redact.js';
import type { CommandMain, Deps, Flags } from '../types.js';
import { collectItems, renderManifest } from './collect.js';
import { DEFAULT_LIMITS, type Limits } from './items.js';
import { planItems, knownSecrets } from './sources.js';
import { runSos, type SosResult } from './sos.js';
import { writeTarGz, type TarEntry } from './tar-gzip.js';
import { resolveUpload } from './upload-target.js';
import { uploadBundle, type UploadResult } from './upload.js';

const OUT_DIR = '/var/tmp';

function wholeNumber(flags: Flags, name: string, min: number, max: number): number | undefined {
  const text = flags[name];
  if (text === undefined) return undefined;
  const value = Number(text);
  if (typeof text !== 'string' || !Number.isInteger(value) || value < min || value > max)
    throw new UsageError(`--${name}: expected a whole number from ${min} to ${max}, got '${String(text)}'`);
  return value;
}

function limitsFrom(flags: Flags): Limits {
  const maxMb = wholeNumber(flags, 'max-mb', 1, 1024);
  const maxSec = wholeNumber(flags, 'max-sec', 5, 3600);
  const limits: Limits = {
    ...DEFAULT_LIMITS,
    journalBoots: wholeNumber(flags, 'boots', 1, 20) ?? DEFAULT_LIMITS.journalBoots,
    journalLines: wholeNumber(flags, 'lines', 10, 100_000) ?? DEFAULT_LIMITS.journalLines,
  };
  if (maxMb !== undefined) {
    limits.maxBytes = maxMb * 1024 * 1024;
    limits.maxItemBytes = Math.min(limits.maxItemBytes, limits.maxBytes);
  }
  if (maxSec !== undefined) {
    limits.maxMs = maxSec * 1000;
    limits.itemMs = Math.min(limits.itemMs, limits.maxMs);
  }
  return limits;
}

/** Host name as it may appear in a file name. */
const safeName = (text: string) => text.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 40) || 'host';
const stamp = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');

export const main: CommandMain = async (invocation, deps) => {
  const { flags } = invocation;
  const limits = limitsFrom(flags);
  const chunkKb = wholeNumber(flags, 'chunk-kb', 4, 65_536) ?? 1024;
  const { loadConfig } = await import('../../config/load.js');
  // A bundle is most wanted when something is broken, the config included: a broken config is
  // described in the bundle (config/problems.txt) and the rest runs on what could be salvaged.
  const loaded = await loadConfig(deps.host.fs, { salvage: true });
  const config: Config = loaded.config ?? loaded.fallback?.config ?? defaultConfig();
  // Checked before collecting, so a wrong --upload costs nothing.
  const target = flags.upload ? await resolveUpload(deps.host, config, loaded) : undefined;
  await checkOutputDir(deps);

  const started = deps.host.clock.now();
  const name = `edge-agent-support-${safeName(hostname())}-${stamp(started)}`;
  const path = `${OUT_DIR}/${name}.tar.gz`;
  const sos = flags.sos ? runSos(deps.host, deps.signal) : undefined;
  const scrub = makeScrubber(await knownSecrets(deps.host, config, loaded));
  const items = await planItems(deps.host, config, loaded, limits);
  const collected = await collectItems(items, limits, scrub, { signal: deps.signal, now: () => deps.host.clock.now() });
  const sosResult: SosResult | undefined = await sos;
  const header = [
    `edge-agent support bundle of ${hostname()}, made ${new Date(started).toISOString()}`,
    `caps: ${limits.maxBytes} bytes before compression, ${limits.maxMs} ms in all, ${limits.itemMs} ms per item; journal: ${limits.journalBoots} boots, ${limits.journalLines} lines per unit group`,
    `secrets: config values redacted by key and URL password; every known secret (pull secret, hub key, API token) replaced by ***`,
    ...(collected.timedOut ? ['the run cap was reached: some items are partial or skipped'] : []),
    ...(sosResult ? [`sos: ${sosResult.summary}`] : []),
  ];
  const mtimeSec = started / 1000;
  const manifest = renderManifest(collected.rows, header);
  const entries: TarEntry[] = [
    { name: `${name}/MANIFEST`, data: Buffer.from(manifest), mtimeSec },
    {
      name: `${name}/manifest.json`,
      data: Buffer.from(`${JSON.stringify({ header, items: collected.rows }, null, 2)}\n`),
      mtimeSec,
    },
    ...[...collected.data].map(([item, data]) => ({ name: `${name}/${item}`, data, mtimeSec })),
  ];
  let written;
  try {
    written = await writeTarGz(deps.host.fs.resolve(path), entries);
  } catch (error) {
    throw new StateWriteError('bundle-write', `cannot write ${path}: ${(error as Error).message}`, { cause: error });
  }
  let upload: UploadResult | undefined;
  let uploadError: unknown;
  if (target) {
    try {
      upload = await uploadBundle({
        ...target,
        file: deps.host.fs.resolve(path),
        sha256: written.sha256,
        size: written.bytes,
        chunkBytes: chunkKb * 1024,
        signal: deps.signal,
      });
    } catch (error) {
      uploadError = error;
    }
  }
  const result = {
    path,
    sha256: written.sha256,
    bytes: written.bytes,
    durationMs: deps.host.clock.now() - started,
    items: collected.rows,
    ...(collected.timedOut && { timedOut: true }),
    ...(sosResult && { sos: sosResult }),
    ...(upload && { upload }),
  };
  if (flags.json) deps.out(`${JSON.stringify(result, null, 2)}\n`);
  else deps.out(renderHuman(result, collected.rows.filter((r) => r.cutFrom !== undefined).length));
  // The bundle is on disk either way: its path is printed first, then the upload's failure.
  if (uploadError) throw uploadError;
  return ExitCode.Ok;
};

function renderHuman(
  result: { path: string; sha256: string; bytes: number; durationMs: number; sos?: SosResult; upload?: UploadResult },
  cut: number,
): string {
  const lines = [
    result.path,
    `sha256 ${result.sha256}`,
    `${result.bytes} bytes, ${(result.durationMs / 1000).toFixed(1)} s${cut ? `, ${cut} items cut to the size cap` : ''} (contents: MANIFEST inside)`,
  ];
  if (result.sos) lines.push(`sos: ${result.sos.summary}`);
  if (result.upload)
    lines.push(`uploaded to ${result.upload.url}${result.upload.retries ? ` (${result.upload.retries} retries)` : ''}`);
  return `${lines.join('\n')}\n`;
}

/** /var/tmp must be a directory we can create files in; said up front, before the run's work. */
async function checkOutputDir(deps: Deps): Promise<void> {
  const { access, constants } = await import('node:fs/promises');
  const real = deps.host.fs.resolve(OUT_DIR);
  const info = await deps.host.fs.info(OUT_DIR);
  if (!info?.isDirectory)
    throw new StateWriteError(
      'bundle-write',
      `${OUT_DIR} is ${info ? 'not a directory' : 'missing'}: expected a writable directory for the bundle`,
    );
  try {
    await access(real, constants.W_OK);
  } catch (error) {
    throw new StateWriteError(
      'bundle-write',
      `${OUT_DIR} is not writable (${(error as NodeJS.ErrnoException).code ?? 'error'}): the bundle is written there`,
    );
  }
}
