// The daemon tells the hub what `edge-agent preflight` says about a staged update, once per
// staged deployment. Preflight runs as a child process (as the daemon's health check does), so
// the daemon never loads its code. A small file in /var remembers the checksum and the event id
// it took before reporting: a daemon restarted mid-way reports again under the same id, which
// the hub drops as a duplicate, and a staged deployment already reported is not run again.
import { dirname } from 'node:path';
import type { Deployment } from '../../core/deployment.js';
import type { PreflightJson } from '../../core/preflight/report.js';
import type { Deps } from '../types.js';
import type { Hub } from '../../hub/hub.js';

interface Marker {
  checksum: string;
  id: string;
  reported: boolean;
}

export interface PreflightReportDeps extends Pick<Deps, 'host' | 'config' | 'log' | 'signal'> {
  hub?: Hub;
  cliPath: string;
}

const markerPath = (deps: PreflightReportDeps) => `${dirname(deps.config.boots.dir)}/preflight-report.json`;

async function readMarker(deps: PreflightReportDeps): Promise<Marker | undefined> {
  try {
    const value = JSON.parse((await deps.host.fs.readText(markerPath(deps))) ?? 'null') as Marker | null;
    return value && typeof value.checksum === 'string' && typeof value.id === 'string' ? value : undefined;
  } catch {
    // Unreadable: treated as never reported; the worst outcome is one more report.
    return undefined;
  }
}

// Hub traffic is budgeted per device: a reason (which may list ten image references) is cut;
// the whole result stays on the device in `edge-agent preflight`.
const REASON_MAX = 200;
const clip = (text: string) => (text.length > REASON_MAX ? `${text.slice(0, REASON_MAX - 3)}...` : text);

const writeMarker = (deps: PreflightReportDeps, marker: Marker) =>
  deps.host.fs.writeAtomic(markerPath(deps), `${JSON.stringify(marker)}\n`, 0o644);

/** Run preflight for `staged` and report it, unless that deployment was reported already. */
export async function reportStagedPreflight(deps: PreflightReportDeps, staged: Deployment | undefined): Promise<void> {
  const { hub, host, log } = deps;
  if (!hub || !staged?.checksum) return;
  const marker = await readMarker(deps);
  if (marker?.checksum === staged.checksum && marker.reported) return;
  const id = marker?.checksum === staged.checksum ? marker.id : hub.sink.nextId();
  const result = await host.exec.run(process.execPath, [deps.cliPath, 'preflight', '--json'], {
    timeoutMs: 120_000,
    signal: deps.signal,
    env: { EDGE_AGENT_LOG_LEVEL: 'warn' },
  });
  if (deps.signal.aborted) return;
  // 0, 1 and 2 carry a result; anything else means preflight itself could not run.
  let json: PreflightJson;
  try {
    if (result.exitCode > 2)
      throw new Error(`exit ${result.exitCode}: ${result.stderr.trim().split('\n').at(-1) ?? ''}`);
    json = JSON.parse(result.stdout) as PreflightJson;
  } catch (error) {
    log.warn(`preflight of the staged update could not run: ${(error as Error).message}`);
    return;
  }
  await writeMarker(deps, { checksum: staged.checksum, id, reported: false });
  const count = (s: string) => json.items.filter((i) => i.status === s).length;
  await hub.sink.report(
    'preflight',
    {
      deployment: { version: staged.version, checksum: staged.checksum.slice(0, 12) },
      status: json.status,
      counts: { pass: count('pass'), warn: count('warn'), fail: count('fail') },
      items: json.items.flatMap((i) =>
        i.status === 'pass' ? [] : [{ id: i.id, status: i.status, reason: clip(i.reason) }],
      ),
    },
    { id },
  );
  await writeMarker(deps, { checksum: staged.checksum, id, reported: true });
  log.info(
    { event: 'preflight', deployment: staged.checksum, status: json.status },
    `Preflight of the staged update ${staged.version ?? staged.checksum.slice(0, 7)}: ${json.status}`,
  );
}
