// `--sos`: Red Hat's own collector, run beside the bundle when it is installed. It writes its
// own archive (usually under /var/tmp); we only start it and name what it produced.
import { HostError } from '../../errors.js';
import type { Host } from '../../host/host.js';

export interface SosResult {
  command: string;
  exit?: number;
  /** The archive sos reported, when it named one. */
  archive?: string;
  summary: string;
}

// sos collects for minutes on a busy node; it is not held to the bundle's own cap.
const SOS_TIMEOUT_MS = 15 * 60_000;

async function installed(host: Host, tool: string): Promise<boolean> {
  const r = await host.exec.run('sh', ['-c', `command -v ${tool}`]).catch(() => undefined);
  return r?.exitCode === 0;
}

export async function runSos(host: Host, signal: AbortSignal): Promise<SosResult> {
  const argv: [string, ...string[]] | undefined = (await installed(host, 'microshift-sos-report'))
    ? ['microshift-sos-report']
    : (await installed(host, 'sos'))
      ? ['sos', 'report', '--batch']
      : undefined;
  if (!argv)
    return { command: 'sos report --batch', summary: 'not run: neither microshift-sos-report nor sos is installed' };
  const command = argv.join(' ');
  try {
    const r = await host.exec.run(argv[0], argv.slice(1), { signal, timeoutMs: SOS_TIMEOUT_MS });
    // sos prints the archive's path on a line of its own after "Your sos report has been generated".
    const archive = /(\/\S+\.tar\.(?:xz|gz|bz2|zst))/.exec(`${r.stdout}\n${r.stderr}`)?.[1];
    const how = r.timedOut ? `timed out after ${SOS_TIMEOUT_MS / 1000} s` : `exit ${r.exitCode}`;
    return {
      command,
      exit: r.exitCode,
      archive,
      summary: archive
        ? `${command}: ${how}, archive ${archive}`
        : `${command}: ${how}, no archive named in its output`,
    };
  } catch (error) {
    if (error instanceof HostError) return { command, summary: `${command} could not start: ${error.message}` };
    throw error;
  }
}
