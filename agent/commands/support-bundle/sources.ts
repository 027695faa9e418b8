// Builds the bundle's items from the host: plain commands, edge-agent's own commands run as a
// subprocess of this binary, and the files that need care (config redacted, pull secret only
// described). Also gathers the secrets the scrubber must hunt for.
import { parse as parseYaml, stringify } from 'yaml';
import { HostError } from '../../errors.js';
import type { Host } from '../../host/host.js';
import type { LoadedConfig } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import { redactConfigValue, secretsInConfig, secretsInPem, secretsInPullSecret } from '../../core/bundle-redact.js';
import { commandItems, type BundleItem, type ItemOutput, type Limits } from './items.js';

const GREENBOOT_CONF = '/etc/greenboot/greenboot.conf';
const GRUBENV = '/boot/grub2/grubenv';

async function runTool(
  host: Host,
  argv: readonly string[],
  signal: AbortSignal,
  timeoutMs: number,
): Promise<ItemOutput> {
  const [file, ...args] = argv as [string, ...string[]];
  try {
    const r = await host.exec.run(file, args, { signal, timeoutMs });
    return {
      exit: r.exitCode,
      // Kept apart so a .json item stays JSON; the MANIFEST carries it.
      text: r.stdout,
      stderr: r.stderr,
      note: r.timedOut
        ? `timed out after ${timeoutMs} ms`
        : signal.aborted
          ? 'stopped: the run cap was reached'
          : undefined,
    };
  } catch (error) {
    // Only a tool that cannot be started throws (exec.ts): on this device it is not installed.
    if (error instanceof HostError) return { text: '', note: `not available: ${error.message}` };
    throw error;
  }
}

/** edge-agent's own command as a subprocess of this same binary (runtime and entry script). */
function selfItem(name: string, args: string[], itemMs: number, host: Host): BundleItem {
  return {
    name,
    command: `edge-agent ${args.join(' ')}`,
    timeoutMs: itemMs,
    collect: async (signal, timeoutMs) => {
      const entry = process.argv[1] ?? '';
      const out = await runTool(host, [process.execPath, entry, ...args], signal, timeoutMs);
      // 64 with "unknown command": an edge-agent older than the command (preflight is new).
      if (out.exit === 64 && out.stderr?.includes('unknown command'))
        return { ...out, note: `${args[0]} not available in this edge-agent` };
      return out;
    },
  };
}

function fileItem(
  name: string,
  path: string,
  host: Host,
  itemMs: number,
  transform?: (text: string) => string,
): BundleItem {
  return {
    name,
    command: `read ${path}`,
    timeoutMs: itemMs,
    collect: async () => {
      const text = await host.fs.readText(path);
      if (text === undefined) return { text: '', note: `${path} does not exist` };
      return { text: transform ? transform(text) : text };
    },
  };
}

/** The grubenv through the tool when installed, else the file itself without its # padding. */
function grubenvItem(host: Host, itemMs: number): BundleItem {
  return {
    name: 'grubenv.txt',
    command: `grub2-editenv list (else read ${GRUBENV})`,
    timeoutMs: itemMs,
    collect: async (signal, timeoutMs) => {
      const out = await runTool(host, ['grub2-editenv', 'list'], signal, timeoutMs);
      if (out.exit !== undefined) return out;
      const text = await host.fs.readText(GRUBENV);
      if (text === undefined) return { text: '', note: `grub2-editenv not installed and ${GRUBENV} does not exist` };
      return { text: text.replace(/#+\s*$/, ''), note: 'grub2-editenv not installed: read the file' };
    },
  };
}

function describeConfigFile(text: string): string {
  try {
    return stringify(redactConfigValue(parseYaml(text)));
  } catch (error) {
    // The text is left out: a line that does not parse may well be the one holding a secret.
    const where = (error as { linePos?: Array<{ line: number }> }).linePos?.[0]?.line;
    return `# does not parse as YAML${where ? ` (line ${where})` : ''}: contents left out, they could hold secrets\n`;
  }
}

async function configItems(host: Host, loaded: LoadedConfig, itemMs: number): Promise<BundleItem[]> {
  const files = [...new Set(['/etc/edge-agent/config.yaml', ...loaded.sources])];
  const problems = [...loaded.errors, ...loaded.warnings].map((p) => JSON.stringify(p)).join('\n');
  return [
    ...files.map((file) =>
      fileItem(`config/${file.split('/').pop() ?? 'config'}.redacted.yaml`, file, host, itemMs, describeConfigFile),
    ),
    {
      name: 'config/problems.txt',
      command: 'load /etc/edge-agent/config.yaml and config.d/',
      timeoutMs: itemMs,
      collect: async () => ({ text: problems ? `${problems}\n` : 'no problems\n' }),
    },
  ];
}

/** The pull secret's presence, size, owner and mode: never its contents. */
function pullSecretItem(host: Host, path: string, itemMs: number): BundleItem {
  return {
    name: 'pull-secret.txt',
    command: `stat ${path} (contents never included)`,
    timeoutMs: itemMs,
    collect: async () => {
      const info = await host.fs.info(path);
      if (!info) return { text: `${path}: not present\n` };
      const mode = (info.mode & 0o7777).toString(8).padStart(4, '0');
      return {
        text: `${path}: present, ${info.size} bytes, owner ${info.uid}:${info.gid}, mode ${mode}, ${info.isFile ? 'regular file' : 'not a regular file'}\n`,
      };
    },
  };
}

/** Every item, in the order they appear in the MANIFEST (the first are kept whole when cutting). */
export async function planItems(
  host: Host,
  config: Config,
  loaded: LoadedConfig,
  limits: Limits,
): Promise<BundleItem[]> {
  const ms = limits.itemMs;
  const boots = config.boots.dir;
  const historyCommand = selfItem('history.json', ['history', '--json', '-n', '200'], ms, host);
  const history: BundleItem = {
    ...historyCommand,
    collect: async (signal, timeoutMs) => {
      const out = await historyCommand.collect(signal, timeoutMs);
      if (out.exit === 0) return out;
      // Without a working history command the record files themselves are the history.
      const names = (await host.fs.list(boots)).filter((n) => n.endsWith('.json')).sort();
      const records = await Promise.all(
        names.map(async (n) => `=== ${boots}/${n}\n${(await host.fs.readText(`${boots}/${n}`)) ?? ''}`),
      );
      return {
        ...out,
        text: `${out.text}\n${records.join('\n')}`,
        note: `history failed: the ${names.length} record files of ${boots} follow`,
      };
    },
  };
  const tools = commandItems(limits).map((c): BundleItem =>
    c.name === 'grubenv.txt'
      ? grubenvItem(host, ms)
      : { name: c.name, command: c.argv.join(' '), timeoutMs: ms, collect: (s, t) => runTool(host, c.argv, s, t) },
  );
  return [
    selfItem('status.json', ['status', '--json'], ms, host),
    selfItem('preflight.json', ['preflight', '--json'], ms, host),
    history,
    ...(await configItems(host, loaded, ms)),
    fileItem('greenboot.conf', GREENBOOT_CONF, host, ms),
    pullSecretItem(host, config.wanted.pullSecret, ms),
    ...tools,
  ];
}

/** The secrets this device holds, for the scrubber: read here, never written anywhere. */
export async function knownSecrets(host: Host, config: Config, loaded: LoadedConfig): Promise<string[]> {
  const secrets: string[] = [];
  for (const file of new Set(['/etc/edge-agent/config.yaml', ...loaded.sources])) {
    const text = await host.fs.readText(file).catch(() => undefined);
    if (text === undefined) continue;
    let parsed: unknown;
    try {
      parsed = parseYaml(text);
    } catch {
      parsed = undefined;
    }
    secrets.push(...secretsInConfig(text, parsed));
  }
  const pull = await host.fs.readText(config.wanted.pullSecret).catch(() => undefined);
  if (pull) secrets.push(...secretsInPullSecret(pull));
  for (const pem of [config.hub?.key])
    if (pem) {
      const text = await host.fs.readText(pem).catch(() => undefined);
      if (text) secrets.push(...secretsInPem(text));
    }
  if (config.hubService?.tokenFile) {
    const token = await host.fs.readText(config.hubService.tokenFile).catch(() => undefined);
    if (token?.trim()) secrets.push(token.trim());
  }
  return secrets;
}
