// rpm-ostree, read through `rpm-ostree status --json`. Its fields come and go between versions,
// so the parse is lenient: a field of the wrong type is dropped with a warning (and kept in
// `extra`), unknown fields are kept, and only output that is not status at all is an error.
import * as z from 'zod/mini';
// For zod's English messages, which this file passes on.
import '../core/zod.js';
import { findDeploymentRoles, type Deployment, type DeploymentSet } from '../core/deployment.js';
import { DataError, HostError } from '../errors.js';
import type { Exec } from './exec.js';

export interface RpmOstreeCallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface RpmOstree {
  /** The deployments in boot order with their roles; `undefined` on a host without rpm-ostree. */
  status(options?: RpmOstreeCallOptions): Promise<DeploymentSet | undefined>;
}

export interface RpmOstreeOptions {
  exec: Exec;
  /** The tool to run (default `rpm-ostree` from PATH). */
  command?: string;
  /** rpm-ostree asks its daemon, which may first have to start: allow it some time. */
  timeoutMs?: number;
}

const COMMAND_LINE = 'rpm-ostree status --json';

export function createRpmOstree(options: RpmOstreeOptions): RpmOstree {
  const command = options.command ?? 'rpm-ostree';
  return {
    async status({ signal, timeoutMs = options.timeoutMs ?? 20_000 } = {}) {
      signal?.throwIfAborted();
      let result;
      try {
        result = await options.exec.run(command, ['status', '--json'], { signal, timeoutMs });
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
      signal?.throwIfAborted();
      if (result.timedOut)
        throw new HostError('rpm-ostree-timeout', `${COMMAND_LINE} did not answer within ${timeoutMs} ms`, {
          retryable: true,
        });
      // 127: the shell or env wrapper could not find the tool; this host is not an ostree host.
      if (result.exitCode === 127) return undefined;
      // Any other non-zero exit: the daemon refused or is busy; the next attempt may work.
      if (result.exitCode !== 0) {
        const reason = result.stderr.trim().split('\n')[0] || `exit code ${result.exitCode}`;
        throw new HostError('rpm-ostree-failed', `${COMMAND_LINE} failed: ${reason}`, { retryable: true });
      }
      return parseRpmOstreeStatus(result.stdout);
    },
  };
}

function isNotFound(error: unknown): boolean {
  const cause = error instanceof HostError ? (error.cause as NodeJS.ErrnoException | undefined) : undefined;
  return cause?.code === 'ENOENT';
}

// A part that is missing, null or of another shape reads as absent.
const lenient = <T extends z.ZodMiniType>(schema: T) => z.catch(z.nullish(schema), undefined);
const statusSchema = z.looseObject({
  deployments: z.array(z.unknown()),
  transaction: lenient(z.array(z.string())),
  'cached-update': lenient(
    z.looseObject({
      checksum: z.optional(z.string()),
      version: z.optional(z.string()),
      timestamp: z.optional(z.number()),
    }),
  ),
  'update-driver': lenient(
    z.looseObject({ 'driver-name': z.optional(z.string()), 'driver-sd-unit': z.optional(z.string()) }),
  ),
});

const deploymentFields = {
  id: z.string(),
  osname: z.string(),
  serial: z.int(),
  checksum: z.string(),
  version: z.string(),
  timestamp: z.number(),
  origin: z.string(),
  'container-image-reference': z.string(),
  booted: z.boolean(),
  staged: z.boolean(),
  pinned: z.boolean(),
  packages: z.array(z.string()),
  'requested-packages': z.array(z.string()),
  'requested-base-removals': z.array(z.string()),
  'base-checksum': z.string(),
};
const known = new Set(Object.keys(deploymentFields));
const deploymentSchema = z.looseObject(
  Object.fromEntries(Object.entries(deploymentFields).map(([key, schema]) => [key, z.nullish(schema)])) as {
    [K in keyof typeof deploymentFields]: z.ZodMiniOptional<z.ZodMiniNullable<(typeof deploymentFields)[K]>>;
  },
);

/** Parse the stdout of `rpm-ostree status --json`. */
export function parseRpmOstreeStatus(stdout: string): DeploymentSet {
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch (error) {
    throw new DataError(
      'rpm-ostree-invalid',
      `${COMMAND_LINE} printed something that is not JSON: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const top = statusSchema.safeParse(json);
  if (!top.success)
    throw new DataError('rpm-ostree-invalid', `${COMMAND_LINE} printed JSON without a "deployments" list`);
  const warnings: string[] = [];
  const deployments = top.data.deployments.flatMap((raw, index) => parseDeployment(raw, index, warnings) ?? []);
  const [title, initiator] = top.data.transaction ?? [];
  const cached = top.data['cached-update'];
  const driver = top.data['update-driver'];
  return {
    deployments,
    ...findDeploymentRoles(deployments),
    transaction: title ? { title, initiator: initiator || undefined } : undefined,
    cachedUpdate: cached
      ? { checksum: cached.checksum, version: cached.version, timestamp: cached.timestamp }
      : undefined,
    updateDriver: driver ? { name: driver['driver-name'], unit: driver['driver-sd-unit'] } : undefined,
    warnings,
  };
}

function parseDeployment(raw: unknown, index: number, warnings: string[]): Deployment | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    warnings.push(`deployment ${index} is not an object; ignored`);
    return undefined;
  }
  const input: Record<string, unknown> = { ...raw };
  const dropped: Record<string, unknown> = {};
  let parsed = deploymentSchema.safeParse(input);
  if (!parsed.success) {
    // Every known field is optional, so the only failures are fields of the wrong type: set
    // those aside and parse the rest.
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0]);
      if (!(key in input)) continue;
      warnings.push(`deployment ${index}: "${key}" ${issue.message.toLowerCase()}; ignored`);
      dropped[key] = input[key];
      delete input[key];
    }
    parsed = deploymentSchema.safeParse(input);
    if (!parsed.success)
      throw new DataError('rpm-ostree-invalid', `${COMMAND_LINE}: deployment ${index} cannot be read`);
  }
  const d = parsed.data;
  if (!d.checksum) warnings.push(`deployment ${index} has no checksum`);
  const extra = { ...Object.fromEntries(Object.entries(d).filter(([key]) => !known.has(key))), ...dropped };
  return {
    id: d.id ?? undefined,
    osname: d.osname ?? undefined,
    serial: d.serial ?? undefined,
    checksum: d.checksum ?? '',
    version: d.version ?? undefined,
    timestamp: d.timestamp ?? undefined,
    origin: d.origin ?? undefined,
    containerImageReference: d['container-image-reference'] ?? undefined,
    booted: d.booted ?? false,
    staged: d.staged ?? false,
    pinned: d.pinned ?? false,
    packages: d.packages ?? [],
    requestedPackages: d['requested-packages'] ?? [],
    requestedBaseRemovals: d['requested-base-removals'] ?? [],
    baseChecksum: d['base-checksum'] ?? undefined,
    extra,
  };
}
