// `edge-agent journal persist [--system-max-use SIZE] [--runtime-max-use SIZE] [--json]` and
// `edge-agent journal status [--json]`. persist exits 0 when the journal is on disk (whether or
// not anything had to change), 1 when someone else's Storage= or journald itself keeps it from
// being persistent; status exits 0 and describes what it found.
import { parseJournaldSize, type JournalSizes } from '../../core/journald-conf.js';
import { formatBytes } from '../../core/status/format.js';
import { PermissionError, UsageError } from '../../errors.js';
import { ExitCode } from '../../exit-codes.js';
import { persistJournal, readJournalStatus, type JournalStatus, type PersistResult } from '../../host/journald.js';
import type { CommandMain, Deps, Flags } from '../types.js';

export const persist: CommandMain = async ({ flags }, deps) => {
  const { host } = deps;
  const sizes = sizesFrom(flags, deps);
  if (!host.isRoot)
    throw new PermissionError(
      'needs-root',
      'journal persist writes /etc/systemd/journald.conf.d/ and restarts systemd-journald: run it as root',
    );
  const result = await persistJournal({ host, log: deps.log, signal: deps.signal }, sizes);
  deps.out(flags.json ? `${JSON.stringify({ schema: 1, ...result, sizes }, null, 2)}\n` : renderPersist(result));
  return result.outcome === 'persistent' ? ExitCode.Ok : ExitCode.Failed;
};

export const status: CommandMain = async ({ flags }, deps) => {
  const result = await readJournalStatus({ host: deps.host, signal: deps.signal }, configSizes(deps));
  deps.out(flags.json ? `${JSON.stringify({ schema: 1, ...result }, null, 2)}\n` : renderStatus(result));
  return ExitCode.Ok;
};

function configSizes({ config }: Deps): JournalSizes {
  return { systemMaxUse: config.journal.systemMaxUse, runtimeMaxUse: config.journal.runtimeMaxUse };
}

function sizesFrom(flags: Flags, deps: Deps): JournalSizes {
  const size = (flag: string, fallback: string) => {
    const value = flags[flag];
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || parseJournaldSize(value) === undefined) {
      throw new UsageError(
        `--${flag} must be a journald size: a whole number of bytes, optionally with K, M, G or T (base 1024), greater than 0, such as 512M or 1G (got '${String(value)}')`,
      );
    }
    return value;
  };
  const defaults = configSizes(deps);
  return {
    systemMaxUse: size('system-max-use', defaults.systemMaxUse),
    runtimeMaxUse: size('runtime-max-use', defaults.runtimeMaxUse),
  };
}

function renderPersist(result: PersistResult): string {
  if (result.outcome !== 'persistent') return `Journal NOT persistent: ${result.message}\n`;
  const did = result.changed
    ? `wrote ${result.dropIn}, restarted systemd-journald`
    : result.restarted
      ? 'drop-in unchanged, restarted systemd-journald to apply it'
      : 'nothing to change';
  return (
    [
      `Journal is persistent: ${did}.`,
      `Logs are kept in ${result.journalDir} (${result.files} file${result.files === 1 ? '' : 's'}).`,
      ...result.notes.map((n) => `note: ${n}`),
    ].join('\n') + '\n'
  );
}

function renderStatus(s: JournalStatus): string {
  const where =
    s.location === 'disk'
      ? `on disk (${s.persistent.path})`
      : s.location === 'memory'
        ? `in memory only (${s.runtime.path}): lost at reboot and after a rollback`
        : 'nowhere (no active journal file)';
  const source = s.storageSource ? `set in ${s.storageSource.path}:${s.storageSource.line}` : "journald's default";
  const means =
    s.configuredTarget === 'disk'
      ? 'keeps the journal on disk'
      : s.configuredTarget === 'memory'
        ? 'keeps the journal in memory only'
        : 'keeps no journal';
  const lines = [
    `Journal:       ${where}`,
    `Setting:       Storage=${s.storage} (${source}; ${means})`,
    `Disk use:      ${formatBytes(s.diskUsageBytes)} (on disk ${formatBytes(s.persistent.bytes)}, in memory ${formatBytes(s.runtime.bytes)})`,
    `Boots:         ${s.boots === undefined ? 'unknown' : `${s.boots} in the journal`}${s.earlierBoots ? ' (journalctl -b -1 works)' : ' (no earlier boots: journalctl -b -1 has nothing)'}`,
    `Our drop-in:   ${s.dropIn.present ? `${s.dropIn.path}${s.dropIn.ours ? (s.dropIn.upToDate ? '' : ' (differs from the config: run edge-agent journal persist)') : ' (NOT written by edge-agent)'}` : 'not present (edge-agent journal persist writes it)'}`,
    `Limits:        SystemMaxUse=${s.systemMaxUse ?? 'default'} RuntimeMaxUse=${s.runtimeMaxUse ?? 'default'}`,
    `Config files:  ${s.configFiles.length ? s.configFiles.join(', ') : 'none (all defaults)'}`,
    ...s.warnings.map((w) => `warning: ${w}`),
  ];
  return `${lines.join('\n')}\n`;
}
