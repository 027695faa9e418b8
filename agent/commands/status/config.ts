// The few settings `status` needs, read without the full config loader. The loader validates the
// whole schema with zod, which is most of a cold start; status needs five keys and must work
// even when the configuration is broken (it then says so and uses the defaults). The shipped
// config.yaml is all comments, so the common case parses no YAML at all.
//
// Same files and merge order as config/load.ts (config.yaml, then config.d/*.yaml in code-point
// order, later files win per key, lists replace). The defaults are the schema's: a unit test
// holds them equal to defaultConfig().
import { isPermissionError } from './limit.js';
import type { HostFs } from '../../host/fs.js';

export const STATUS_CONFIG_FILE = '/etc/edge-agent/config.yaml';
export const STATUS_CONFIG_DROP_INS = '/etc/edge-agent/config.d';

export interface StatusWorkload {
  namespace: string;
  kind: 'Deployment' | 'DaemonSet' | 'StatefulSet';
  name: string;
  when: 'always' | 'lvms';
}

export interface StatusConfig {
  bootsDir: string;
  outboxDir: string;
  kubeconfig: string;
  /** undefined: MicroShift's default core set. */
  workloads?: StatusWorkload[];
  hubUrl?: string;
  journal: { systemMaxUse: string; runtimeMaxUse: string };
  /** Files of the readiness facts, where the config sets them (host/readiness.ts has the defaults). */
  readiness?: Partial<Record<'hubCa' | 'hubCert' | 'pullSecret' | 'registryMirrorConfig', string>>;
  /** Settings that could not be used, one line each (status then works on the default). */
  problems: string[];
}

export const STATUS_CONFIG_DEFAULTS: Omit<StatusConfig, 'problems'> = {
  bootsDir: '/var/lib/edge-agent/boots',
  outboxDir: '/var/lib/edge-agent/outbox',
  kubeconfig: '/var/lib/microshift/resources/kubeadmin/kubeconfig',
  journal: { systemMaxUse: '1G', runtimeMaxUse: '1G' },
};

const hasSettings = (text: string) =>
  text.split('\n').some((line) => line.trim() !== '' && !line.trimStart().startsWith('#') && line.trim() !== '---');

export async function readStatusConfig(fs: HostFs): Promise<StatusConfig> {
  const config: StatusConfig = {
    ...STATUS_CONFIG_DEFAULTS,
    journal: { ...STATUS_CONFIG_DEFAULTS.journal },
    problems: [],
  };
  const dropIns = await fs.list(STATUS_CONFIG_DROP_INS).catch(() => [] as string[]);
  const files = [
    STATUS_CONFIG_FILE,
    ...dropIns
      .filter((n) => n.endsWith('.yaml') && !n.startsWith('.'))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map((n) => `${STATUS_CONFIG_DROP_INS}/${n}`),
  ];
  const texts = await Promise.all(
    files.map((file) =>
      fs.readText(file).catch((error: unknown) => {
        config.problems.push(
          `${file}: cannot be read${isPermissionError(error) ? ' without root' : ''}; its settings are not applied here`,
        );
        return undefined;
      }),
    ),
  );
  if (!texts.some((t) => t !== undefined && hasSettings(t))) return config;
  const yaml = await import('yaml');
  // yaml is CommonJS: imported dynamically from the ESM bundle it is only a default export.
  const { parse } = typeof yaml.parse === 'function' ? yaml : (yaml as unknown as { default: typeof yaml }).default;
  texts.forEach((text, i) => {
    if (text === undefined || !hasSettings(text)) return;
    let data: unknown;
    try {
      data = parse(text);
    } catch {
      config.problems.push(`${files[i]}: not valid YAML; status uses the other files`);
      return;
    }
    apply(config, files[i] as string, data);
  });
  return config;
}

function apply(config: StatusConfig, file: string, data: unknown): void {
  const get = (...path: string[]) => path.reduce<unknown>((v, key) => (isRecord(v) ? v[key] : undefined), data);
  const path = (value: unknown, key: string) => {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string' && value.startsWith('/')) return value;
    config.problems.push(`${file}: ${key} is not an absolute path; status uses the default`);
    return undefined;
  };
  const size = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value) : undefined);
  config.bootsDir = path(get('boots', 'dir'), 'boots.dir') ?? config.bootsDir;
  config.outboxDir = path(get('outbox', 'dir'), 'outbox.dir') ?? config.outboxDir;
  config.kubeconfig = path(get('microshift', 'kubeconfig'), 'microshift.kubeconfig') ?? config.kubeconfig;
  config.journal.systemMaxUse = size(get('journal', 'systemMaxUse')) ?? config.journal.systemMaxUse;
  config.journal.runtimeMaxUse = size(get('journal', 'runtimeMaxUse')) ?? config.journal.runtimeMaxUse;
  const files = {
    hubCa: path(get('hub', 'ca'), 'hub.ca'),
    hubCert: path(get('hub', 'cert'), 'hub.cert'),
    pullSecret: path(get('wanted', 'pullSecret'), 'wanted.pullSecret'),
    registryMirrorConfig: path(get('wanted', 'registryMirrorConfig'), 'wanted.registryMirrorConfig'),
  };
  for (const [key, value] of Object.entries(files)) if (value) config.readiness = { ...config.readiness, [key]: value };
  const url = get('hub', 'url');
  if (typeof url === 'string') config.hubUrl = url;
  const workloads = get('microshift', 'workloads');
  if (Array.isArray(workloads)) {
    const valid = workloads.filter(isWorkload).map((w) => ({ ...w, when: w.when ?? 'always' }));
    if (valid.length !== workloads.length)
      config.problems.push(`${file}: microshift.workloads has entries status cannot use; it counts the others`);
    config.workloads = valid;
  }
}

function isWorkload(value: unknown): value is Omit<StatusWorkload, 'when'> & { when?: StatusWorkload['when'] } {
  if (!isRecord(value)) return false;
  return (
    typeof value.namespace === 'string' &&
    typeof value.name === 'string' &&
    ['Deployment', 'DaemonSet', 'StatefulSet'].includes(value.kind as string) &&
    (value.when === undefined || value.when === 'always' || value.when === 'lvms')
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
