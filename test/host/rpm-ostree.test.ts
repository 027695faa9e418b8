// The rpm-ostree adapter on captured-style `rpm-ostree status --json` outputs, through a fake Exec.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deploymentDisplayName, roleOf, type DeploymentSet } from '../../agent/core/deployment.js';
import { DataError, HostError } from '../../agent/errors.js';
import { createRpmOstree } from '../../agent/host/rpm-ostree.js';
import { FakeExec } from '../fakes/exec.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../fixtures/rpm-ostree', name), 'utf8');
const statusOf = (stdout: string) =>
  createRpmOstree({ exec: new FakeExec().on('rpm-ostree status --json', { stdout }) }).status();
const roles = (set: DeploymentSet) => set.deployments.map((d) => `${roleOf(d, set)} ${deploymentDisplayName(d)}`);

describe('rpm-ostree status', () => {
  it.each([
    ['commit-booted.json', ['booted 9.4.20240501 (d142880)', 'rollback 9.3.20240307 (a84bba0)']],
    [
      'commit-staged.json',
      ['staged 9.4.20240611 (dcb6de0)', 'booted 9.4.20240501 (d142880)', 'rollback 9.3.20240307 (a84bba0)'],
    ],
    ['after-rollback.json', ['booted 9.4.20240501 (d142880)', 'rollback 9.4.20240611 (dcb6de0)']],
    ['rollback-pending.json', ['pending 9.3.20240307 (a84bba0)', 'booted 9.4.20240501 (d142880)']],
    ['container-native.json', ['booted 9.4 (8995efe)', 'rollback 9.3 (ebc57f4)']],
    [
      'layered.json',
      ['staged 9.4.20240501 (ad590ac)', 'booted 9.4.20240501 (d697312)', 'rollback 9.4.20240501 (83998e1)'],
    ],
  ])('%s: roles in boot order', async (name, expected) => {
    const set = (await statusOf(fixture(name)))!;
    expect(roles(set)).toEqual(expected);
    expect(set.defaultIndex).toBe(0);
    expect(set.warnings).toEqual([]);
  });

  it('reads a commit-based deployment and the cached update', async () => {
    const set = (await statusOf(fixture('commit-booted.json')))!;
    expect(set.booted).toMatchObject({
      osname: 'rhel',
      serial: 0,
      origin: 'edge:rhel/9/x86_64/edge',
      timestamp: 1714567890,
      pinned: false,
      staged: false,
      packages: [],
    });
    expect(set.booted?.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(set.booted?.id).toBe(`rhel-${set.booted?.checksum}.0`);
    expect(set.cachedUpdate).toMatchObject({ version: '9.4.20240611', timestamp: 1718112233 });
    expect(set.transaction).toBeUndefined();
    expect(set.staged).toBeUndefined();
  });

  it('reads a container-native deployment and a transaction in progress', async () => {
    const set = (await statusOf(fixture('container-native.json')))!;
    expect(set.booted?.containerImageReference).toBe('ostree-unverified-registry:quay.io/example/edge:9.4');
    expect(set.booted?.origin).toBeUndefined();
    expect(set.rollback?.pinned).toBe(true);
    expect(set.booted?.extra['container-image-reference-digest']).toMatch(/^sha256:/);
    expect(set.transaction).toEqual({ title: 'upgrade', initiator: ':1.87' });
  });

  it('reads layered packages and the base commit', async () => {
    const set = (await statusOf(fixture('layered.json')))!;
    expect(set.staged).toMatchObject({ packages: ['htop', 'tcpdump'], requestedPackages: ['htop', 'tcpdump'] });
    expect(set.booted?.baseChecksum).toBe(set.rollback?.checksum);
    expect(set.booted?.extra['requested-local-packages']).toEqual([
      'microshift-gitops-4.15.12-202405081015.p0.el9.x86_64',
    ]);
  });

  it('keeps what it can from odd output and says what it skipped', async () => {
    const set = (await statusOf(fixture('odd-fields.json')))!;
    expect(set.deployments).toHaveLength(2);
    expect(set.booted).toMatchObject({ version: '9.6.20250402', timestamp: undefined });
    expect(set.booted?.extra).toMatchObject({
      timestamp: '1743580800',
      'soft-reboot-target': false,
      signatures: [{ valid: true }],
    });
    expect(set.rollback).toMatchObject({
      checksum: '',
      version: '9.5.20250110',
      pinned: false,
      booted: false,
      extra: { pinned: 'yes' },
    });
    expect(deploymentDisplayName(set.rollback!)).toBe('9.5.20250110 (unknown commit)');
    expect(set.updateDriver).toEqual({ name: 'fleet-agent', unit: 'fleet-agent.service' });
    expect(set.warnings).toEqual([
      expect.stringMatching(/^deployment 0: "timestamp" .*number.*; ignored$/),
      expect.stringMatching(/^deployment 1: "pinned" .*boolean.*; ignored$/),
      'deployment 1 has no checksum',
      'deployment 2 is not an object; ignored',
    ]);
  });

  it('is undefined on a host without rpm-ostree', async () => {
    expect(await createRpmOstree({ exec: new FakeExec() }).status()).toBeUndefined();
    // Through a wrapper (env, sh -c) a missing tool is exit 127 instead of ENOENT.
    expect(
      await createRpmOstree({ exec: new FakeExec().on('rpm-ostree', { exitCode: 127 }) }).status(),
    ).toBeUndefined();
  });

  it.each([
    ['not JSON', 'error: Failed to activate service'],
    ['JSON without deployments', '{"transaction": null}'],
  ])('rejects output that is %s with a DataError naming the command', async (_kind, stdout) => {
    const error = await statusOf(stdout).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect(error).toMatchObject({
      code: 'rpm-ostree-invalid',
      message: expect.stringContaining('rpm-ostree status --json'),
    });
  });

  it('reports a failing daemon as a retryable host error', async () => {
    const exec = new FakeExec().on('rpm-ostree', { exitCode: 1, stderr: 'error: Timeout was reached\n' });
    await expect(createRpmOstree({ exec }).status()).rejects.toMatchObject({
      code: 'rpm-ostree-failed',
      retryable: true,
      message: expect.stringContaining('Timeout was reached'),
    });
  });

  it('gives up after its timeout when the daemon hangs', async () => {
    const started = Date.now();
    const error = await createRpmOstree({ exec: new FakeExec().on('rpm-ostree', { hang: true }) })
      .status({ timeoutMs: 50 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostError);
    expect(error).toMatchObject({ code: 'rpm-ostree-timeout', retryable: true });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('stops when the caller aborts', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('shutting down')), 20);
    const rpmOstree = createRpmOstree({ exec: new FakeExec().on('rpm-ostree', { hang: true }) });
    await expect(rpmOstree.status({ signal: controller.signal })).rejects.toThrow('shutting down');
  });
});
