// `edge-agent config validate`: every problem in /etc/edge-agent/ with file, key, value and what
// was expected. Exit 0 when the config is usable (warnings allowed), 78 when it is not.
import { formatConfigProblem } from '../../errors.js';
import { ExitCode } from '../../exit-codes.js';
import { describeFallback } from '../../config/fallback.js';
import { defaultConfigPath, loadConfig } from '../../config/load.js';
import type { CommandMain } from '../types.js';

export const main: CommandMain = async ({ flags }, { host, out }) => {
  // Salvaging also reads the drop-ins behind a broken main file, so their problems show too.
  const loaded = await loadConfig(host.fs, { salvage: true });
  const fallback = loaded.fallback && {
    dropped: loaded.fallback.dropped,
    declaredChecks: loaded.fallback.declaredChecks,
  };
  const ok = loaded.config !== undefined;
  if (flags.json) {
    out(
      `${JSON.stringify({ ok, sources: loaded.sources, errors: loaded.errors, warnings: loaded.warnings, ...(fallback && { bootChecksFallback: fallback }) }, null, 2)}\n`,
    );
  } else {
    for (const problem of loaded.errors) out(`error: ${formatConfigProblem(problem)}\n`);
    for (const problem of loaded.warnings) out(`warning: ${formatConfigProblem(problem)}\n`);
    if (fallback) out(`note: ${describeFallback(defaultConfigPath, fallback)}\n`);
    const read = loaded.sources.length ? loaded.sources.join(', ') : 'no files (defaults)';
    const warned = loaded.warnings.length ? ` (${loaded.warnings.length} warning(s) above)` : '';
    out(ok ? `config ok: ${read}${warned}\n` : `config invalid: ${loaded.errors.length} error(s)\n`);
  }
  return ok ? ExitCode.Ok : ExitCode.Config;
};
