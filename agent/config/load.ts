// Load /etc/edge-agent/config.yaml and its drop-ins into a validated Config, returning every
// problem as data. The rules that keep a device safe:
// - no main file: defaults (the RPM ships one, but an image may leave it out);
// - a broken main file is an error and there is no config: it is never silently replaced by
//   defaults, which could quietly drop the checks an operator declared;
// - a broken drop-in is a warning and only that drop-in is skipped: one bad file from a
//   workload team must not switch off everything else, nor stop the health checks.
import type { ConfigFiles } from './config-files.js';
import { problemsFromIssue, type LocatedProblem, type Locate } from './problems.js';
import { salvageMainConfig, type DeclaredChecks } from './fallback.js';
import { ConfigSchema, type Config } from './schema.js';
import { mergeConfig, readConfigFile } from './config-file.js';
import { compareCodeUnits } from '../core/compare.js';

export const defaultConfigPath = '/etc/edge-agent/config.yaml';
export const defaultDropInDir = '/etc/edge-agent/config.d';

export interface LoadConfigOptions {
  path?: string;
  dropInDir?: string;
  /** With a broken main file, also work out `fallback` (see config/fallback.ts). */
  salvage?: boolean;
}

export interface LoadedConfig {
  /** Undefined exactly when `errors` is not empty. */
  config: Config | undefined;
  /** Problems that were worked around (a skipped drop-in, an ignored file). */
  warnings: LocatedProblem[];
  /** Problems that leave no usable configuration. */
  errors: LocatedProblem[];
  /** The files that make up `config`, in the order applied. */
  sources: string[];
  /**
   * Only with `salvage` and a broken main file: the config the boot checks run on instead, what
   * of the main file was dropped, and whether its declared checks survived.
   */
  fallback?: { config: Config; dropped: string[]; declaredChecks: DeclaredChecks };
}

export async function loadConfig(fs: ConfigFiles, options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const path = options.path ?? defaultConfigPath;
  const dropInDir = options.dropInDir ?? defaultDropInDir;
  const warnings: LocatedProblem[] = [];
  const sources: string[] = [];

  const main = await readConfigFile(fs, path);
  const broken = async (errors: LocatedProblem[], data: Record<string, unknown> | undefined): Promise<LoadedConfig> => {
    if (!options.salvage) return { config: undefined, warnings, errors, sources };
    const text = data === undefined ? await fs.readText(path).catch(() => undefined) : undefined;
    const salvaged = salvageMainConfig(errors, data, text);
    const base = validate(path, salvaged.data, undefined);
    // salvageMainConfig only returns data that validates; defaults are the last resort anyway.
    const config = base.ok ? base.config : ConfigSchema.parse({});
    const merged = await applyDropIns(fs, dropInDir, { data: salvaged.data, config }, warnings, []);
    return {
      config: undefined,
      warnings,
      errors,
      sources,
      fallback: { config: merged.config, dropped: salvaged.dropped, declaredChecks: salvaged.declaredChecks },
    };
  };
  if (main.status === 'invalid') return broken(main.problems, undefined);
  const data: Record<string, unknown> = main.status === 'ok' ? main.data : {};
  const first = validate(path, data, main.status === 'ok' ? main.locate : undefined);
  if (!first.ok) return broken(first.problems, data);
  if (main.status === 'ok') sources.push(path);
  const { config } = await applyDropIns(fs, dropInDir, { data, config: first.config }, warnings, sources);
  return { config, warnings, errors: [], sources };
}

/**
 * For a reader that must answer whatever the files hold (`status`): the loaded config, else the
 * one the boot checks run on (the salvaged main file under the drop-ins), and every problem met.
 */
export async function loadConfigForReading(
  fs: ConfigFiles,
  options: Omit<LoadConfigOptions, 'salvage'> = {},
): Promise<{ config: Config; problems: LocatedProblem[] }> {
  const loaded = await loadConfig(fs, { ...options, salvage: true });
  // With salvage a broken main file always comes with a fallback; the defaults only satisfy the type.
  const config = loaded.config ?? loaded.fallback?.config ?? ConfigSchema.parse({});
  return { config, problems: [...loaded.errors, ...loaded.warnings] };
}

/** Apply the drop-ins in order over `base`; each one that does not fit is skipped with warnings. */
async function applyDropIns(
  fs: ConfigFiles,
  dropInDir: string,
  base: { data: unknown; config: Config },
  warnings: LocatedProblem[],
  sources: string[],
): Promise<{ config: Config }> {
  let { data, config } = base;
  for (const file of await listDropIns(fs, dropInDir, warnings)) {
    const dropIn = await readConfigFile(fs, file);
    if (dropIn.status !== 'ok') {
      if (dropIn.status === 'invalid') warnings.push(...dropIn.problems, skipped(file));
      continue;
    }
    // Validate the merged result, not the drop-in alone: a drop-in may hold a single key.
    const merged = mergeConfig(data, dropIn.data);
    const result = validate(file, merged, dropIn.locate);
    if (!result.ok) {
      warnings.push(...result.problems, skipped(file));
      continue;
    }
    data = merged;
    config = result.config;
    sources.push(file);
  }
  return { config };
}

type Validation = { ok: true; config: Config } | { ok: false; problems: LocatedProblem[] };

function validate(file: string, data: unknown, locate: Locate | undefined): Validation {
  const result = ConfigSchema.safeParse(data);
  if (result.success) return { ok: true, config: result.data };
  return {
    ok: false,
    problems: result.error.issues.flatMap((issue) => problemsFromIssue(file, issue, data, ConfigSchema, locate)),
  };
}

async function listDropIns(fs: ConfigFiles, dir: string, warnings: LocatedProblem[]): Promise<string[]> {
  let names: string[];
  try {
    // list() treats "not a directory" like "missing"; a file put where the drop-in directory
    // belongs is a mistake the operator should hear about.
    const info = await fs.info(dir);
    if (info && !info.isDirectory) {
      warnings.push({
        file: dir,
        path: '',
        message: 'not a directory; no drop-ins applied',
        expected: 'a directory of *.yaml files',
      });
      return [];
    }
    names = await fs.list(dir);
  } catch (error) {
    warnings.push({
      file: dir,
      path: '',
      message: `cannot list drop-ins (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); none applied`,
    });
    return [];
  }
  // Hidden files are editor and package-manager leftovers (.rpmnew is caught by the suffix).
  const visible = names.filter((name) => !name.startsWith('.'));
  for (const name of visible.filter((n) => n.endsWith('.yml'))) {
    warnings.push({
      file: `${dir}/${name}`,
      path: '',
      message: 'ignored: only *.yaml drop-ins are read',
      expected: 'a name ending in .yaml',
    });
  }
  // Code-point order, like systemd's drop-ins: 10-a.yaml before 20-b.yaml before A.yaml.
  return visible
    .filter((name) => name.endsWith('.yaml'))
    .sort(compareCodeUnits)
    .map((name) => `${dir}/${name}`);
}

const skipped = (file: string): LocatedProblem => ({
  file,
  path: '',
  message: 'drop-in skipped: none of its settings are applied',
});
