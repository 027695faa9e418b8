// Deployments for `status`: `rpm-ostree status --json`, kept in /run/edge-agent/deployments.json
// while ostree's own state is unchanged. rpm-ostree asks its daemon, which exits when idle and
// must first start again: a cold call takes from a few hundred ms to over a second, more than
// everything else status reads together. The cache is used only while a fingerprint of the
// places every deployment change touches still matches:
//   /ostree/deploy/<os>/deploy    a deployment added or removed, an origin rewritten (pin,
//                                 rebase, layering; ostree replaces files by rename)
//   /boot/loader/entries          the boot order (ostree swaps /boot/loader between loader.0/1)
//   /run/ostree/staged-deployment a deployment staged for the next boot
// and only in the boot that wrote it. Without those paths (not a real ostree sysroot) there is no
// cache and rpm-ostree is always asked.
import * as z from 'zod/mini';
import type { Deployment } from '../../core/deployment.js';
import { failed, ok, type DeploymentFacts, type Probe } from '../../core/status/facts.js';
import type { Exec } from '../../host/exec.js';
import type { HostFs } from '../../host/fs.js';

export const DEPLOYMENTS_CACHE = '/run/edge-agent/deployments.json';
const CACHE_SCHEMA = 1;

export interface StatusDeploymentDeps {
  fs: HostFs;
  exec: Exec;
  now: () => number;
}

export interface StatusDeploymentOptions {
  bootId: string | undefined;
  ostree: boolean;
  /** Only root writes the cache (/run/edge-agent is root's). */
  writeCache: boolean;
  signal: AbortSignal;
  timeoutMs: number;
}

export async function readStatusDeployments(
  deps: StatusDeploymentDeps,
  options: StatusDeploymentOptions,
): Promise<Probe<DeploymentFacts>> {
  if (!options.ostree) return failed('unavailable', 'not an ostree system');
  const fingerprint = options.bootId ? await ostreeFingerprint(deps.fs) : undefined;
  if (fingerprint) {
    const cached = await readCache(deps.fs, options.bootId as string, fingerprint);
    if (cached) return ok(cached);
  }
  const { createRpmOstree } = await import('../../host/rpm-ostree.js');
  const set = await createRpmOstree({ exec: deps.exec }).status({
    signal: options.signal,
    timeoutMs: options.timeoutMs,
  });
  if (!set) return failed('unavailable', 'rpm-ostree is not installed');
  const facts: DeploymentFacts = {
    deployments: set.deployments.map(({ extra: _extra, ...d }) => ({ ...d, extra: {} })),
    source: 'rpm-ostree',
    fetchedAt: new Date(deps.now()).toISOString(),
    transaction: set.transaction?.title,
  };
  if (fingerprint && options.writeCache) {
    const text = JSON.stringify({
      schema: CACHE_SCHEMA,
      bootId: options.bootId,
      fingerprint,
      ...facts,
      source: undefined,
    });
    // A cache that cannot be written only costs the next run the rpm-ostree call.
    await deps.fs.writeAtomic(DEPLOYMENTS_CACHE, `${text}\n`, 0o644).catch(() => undefined);
  }
  return ok(facts);
}

export async function ostreeFingerprint(fs: HostFs): Promise<string | undefined> {
  const osnames = await fs.list('/ostree/deploy').catch(() => [] as string[]);
  if (osnames.length === 0) return undefined;
  const stamp = async (label: string, path: string) =>
    `${label}=${(await fs.info(path).catch(() => undefined))?.mtimeMs ?? '-'}`;
  const parts = await Promise.all([
    ...osnames.map((os) => stamp(os, `/ostree/deploy/${os}/deploy`)),
    stamp('loader', '/boot/loader/entries'),
    stamp('staged', '/run/ostree/staged-deployment'),
  ]);
  return parts.join(' ');
}

const text = () => z.optional(z.string());
const deploymentSchema = z.object({
  id: text(),
  osname: text(),
  serial: z.optional(z.number()),
  checksum: z.string(),
  version: text(),
  timestamp: z.optional(z.number()),
  origin: text(),
  containerImageReference: text(),
  booted: z.boolean(),
  staged: z.boolean(),
  pinned: z.boolean(),
  packages: z.array(z.string()),
  requestedPackages: z.array(z.string()),
  baseChecksum: text(),
});
const cacheSchema = z.object({
  schema: z.literal(CACHE_SCHEMA),
  bootId: z.string(),
  fingerprint: z.string(),
  fetchedAt: z.string(),
  transaction: text(),
  deployments: z.array(deploymentSchema),
});

async function readCache(fs: HostFs, bootId: string, fingerprint: string): Promise<DeploymentFacts | undefined> {
  const raw = await fs.readText(DEPLOYMENTS_CACHE).catch(() => undefined);
  if (!raw) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const parsed = cacheSchema.safeParse(data);
  if (!parsed.success || parsed.data.bootId !== bootId || parsed.data.fingerprint !== fingerprint) return undefined;
  const deployments: Deployment[] = parsed.data.deployments.map((d) => ({ ...d, extra: {} }));
  return { deployments, source: 'cache', fetchedAt: parsed.data.fetchedAt, transaction: parsed.data.transaction };
}
