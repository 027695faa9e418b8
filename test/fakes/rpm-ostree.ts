// An in-memory rpm-ostree: a list of deployments in boot order that tests stage, boot into and
// roll back, with the same roles the real adapter computes.
import { findDeploymentRoles, type Deployment, type DeploymentSet } from '../../agent/core/deployment.js';
import type { RpmOstree, RpmOstreeCallOptions } from '../../agent/host/rpm-ostree.js';

let counter = 0;

/** A commit-based RHEL for Edge deployment; every call gets a distinct checksum. */
export function aDeployment(overrides: Partial<Deployment> = {}): Deployment {
  counter += 1;
  const checksum = overrides.checksum ?? counter.toString(16).padStart(8, '0').repeat(8);
  return {
    id: `rhel-${checksum}.0`,
    osname: 'rhel',
    serial: 0,
    checksum,
    version: `9.4.2024060${counter % 10}`,
    timestamp: 1717200000 + counter,
    origin: 'edge:rhel/9/x86_64/edge',
    booted: false,
    staged: false,
    pinned: false,
    packages: [],
    requestedPackages: [],
    extra: {},
    ...overrides,
  };
}

export class FakeRpmOstree implements RpmOstree {
  /** `undefined`: a host without rpm-ostree. */
  deployments: Deployment[] | undefined;
  /** When set, status() rejects with it. */
  failure: Error | undefined;
  calls = 0;

  /** `null`: a host without rpm-ostree. */
  constructor(deployments: Deployment[] | null = [aDeployment({ booted: true })]) {
    this.deployments = deployments ?? undefined;
  }

  async status(options: RpmOstreeCallOptions = {}): Promise<DeploymentSet | undefined> {
    this.calls += 1;
    options.signal?.throwIfAborted();
    if (this.failure) throw this.failure;
    if (!this.deployments) return undefined;
    const deployments = this.deployments.map((d) => ({ ...d }));
    return { deployments, ...findDeploymentRoles(deployments), warnings: [] };
  }

  /** `rpm-ostree upgrade`: the new deployment is staged at the head of the list. */
  stage(deployment: Deployment = aDeployment()): Deployment {
    const list = (this.deployments ?? []).filter((d) => !d.staged);
    const staged = { ...deployment, staged: true, booted: false };
    this.deployments = [staged, ...list];
    return staged;
  }

  /** Reboot into the default (index 0); ostree keeps it and the previously booted one. */
  reboot(): void {
    const list = this.deployments ?? [];
    const next = list[0];
    const previous = list.find((d) => d.booted);
    if (!next) return;
    const kept = next === previous ? list : [next, ...(previous ? [previous] : [])];
    this.deployments = kept.map((d) => ({ ...d, staged: false, booted: d === next }));
  }

  /** GRUB's fallback when the counter ran out: boot the second entry, order unchanged. */
  bootFallback(): void {
    const list = this.deployments ?? [];
    const target = list[1];
    if (target) this.deployments = list.map((d) => ({ ...d, staged: false, booted: d === target }));
  }

  /** `rpm-ostree rollback`: the rollback deployment becomes the default. */
  rollback(): void {
    const list = this.deployments ?? [];
    const { rollback, pending } = findDeploymentRoles(list);
    const target = pending ? list.find((d) => d.booted) : rollback;
    if (!target) return;
    this.deployments = [target, ...list.filter((d) => d !== target && !d.staged)];
  }
}
