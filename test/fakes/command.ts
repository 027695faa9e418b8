// Runs one command's main the way main.ts does (a Host, the config, a logger, a signal, stdout),
// but in-process and with everything captured: what it printed, what it logged, its exit code.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ConfigSchema, type Config } from '../../agent/config/schema.js';
import type { CommandMain, Flags } from '../../agent/commands/types.js';
import type { Host } from '../../agent/host/host.js';
import { createLogger } from '../../agent/host/log.js';

export interface CommandRun {
  code: number;
  out: string;
  /** Log messages, one per record. */
  logs: string[];
}

export interface RunOptions {
  flags?: Flags;
  positionals?: string[];
  /** The config as YAML would give it (defaults filled in by the schema). */
  config?: unknown;
  signal?: AbortSignal;
}

export async function runMain(main: CommandMain, host: Host, options: RunOptions = {}): Promise<CommandRun> {
  let out = '';
  const logs: string[] = [];
  const config: Config = ConfigSchema.parse(options.config ?? {});
  const log = createLogger({
    format: 'json',
    level: 'debug',
    write: (line) => void logs.push(String((JSON.parse(line) as { msg?: unknown }).msg)),
  });
  try {
    const code = await main(
      { flags: options.flags ?? {}, positionals: options.positionals ?? [] },
      {
        host,
        config,
        log,
        signal: options.signal ?? new AbortController().signal,
        out: (text) => void (out += text),
      },
    );
    return { code, out, logs };
  } finally {
    await host.close();
  }
}

/** Put a file where the host will find it (path as on the device). */
export async function putFile(host: Host, path: string, content: string): Promise<void> {
  const file = join(host.root, path);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, content);
}

/** The kernel's view of this boot: its id and start time, as host/system-facts.ts reads them. */
export async function aBoot(host: Host, bootId: string, bootTime = '2024-06-01T00:00:00Z'): Promise<void> {
  await putFile(host, '/proc/sys/kernel/random/boot_id', `${bootId}\n`);
  await putFile(host, '/proc/stat', `cpu 0 0 0 0\nbtime ${Math.floor(Date.parse(bootTime) / 1000)}\n`);
}
