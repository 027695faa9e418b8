// Installs edge-agent into a virtual device from its real RPMs (built once per test process with
// packaging/rpm/build-rpm.mjs: edge-agent and edge-agent-runtime for this machine's architecture),
// with the device's own rpm database: what an Image Builder image for RHEL 9 gets. --nodeps
// because greenboot, bash and glibc are not rpm packages inside the device.
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureRuntime } from '../../scripts/node-runtimes.mjs';
import { repoRoot } from './bundle.js';
import { vdevDropIn } from './install-agent.js';
import type { VirtualDevice } from './vdev.js';

let built: Promise<string[]> | undefined;

/** This machine's rpm architecture (x86_64 here): the runtime the devices can run. */
export async function hostRpmArch(): Promise<string> {
  return (await execa('rpm', ['--eval', '%{_arch}'])).stdout.trim();
}

/**
 * The main RPM and this architecture's edge-agent-runtime, built once per process into
 * build/rpm-harness-<pid>. With `reuse` (the demo), RPMs built before from the very same sources
 * are taken from build/rpm-cache-<hash of the sources>: rpmbuild is most of a warm demo's setup.
 */
export function buildRpms(options: { reuse?: boolean } = {}): Promise<string[]> {
  built ??= (async () => {
    const key = options.reuse ? await sourcesKey() : undefined;
    const outdir = join(repoRoot, 'build', key ? `rpm-cache-${key}` : `rpm-harness-${process.pid}`);
    const rpms = async (dir: string) =>
      (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.rpm')).map((n) => join(dir, n));
    if (key && (await rpms(outdir)).length > 0) return rpms(outdir);
    const into = key ? `${outdir}.${process.pid}` : outdir;
    const result = await execa(
      'node',
      ['packaging/rpm/build-rpm.mjs', '--no-lint', '--runtime', await hostRpmArch(), '--outdir', into],
      { cwd: repoRoot, reject: false, all: true },
    );
    if (result.exitCode !== 0) throw new Error(`building the RPMs failed:\n${result.all}`);
    if (!key) return rpms(outdir);
    // Only complete builds become the cache; the one before (other sources) is removed.
    for (const old of (await readdir(join(repoRoot, 'build'))).filter((n) => /^rpm-cache-[0-9a-f]+$/.test(n)))
      await rm(join(repoRoot, 'build', old), { recursive: true, force: true });
    await rename(into, outdir);
    return rpms(outdir);
  })();
  return built;
}

/**
 * A hash of everything an RPM is built from: the commit (its time dates the build) and every
 * file git would see outside test/, changed or not, with the architecture.
 */
async function sourcesKey(): Promise<string> {
  const git = (...args: string[]) => execa('git', args, { cwd: repoRoot }).then((r) => r.stdout);
  const hash = createHash('sha256');
  hash.update(`${await git('rev-parse', 'HEAD')}\n${await hostRpmArch()}\n`);
  const files = (await git('ls-files', '-co', '--exclude-standard', '-z')).split('\0').filter(Boolean).sort();
  for (const file of files.filter((f) => !f.startsWith('test/'))) {
    const content = await readFile(join(repoRoot, file)).catch(() => Buffer.from('(gone)'));
    hash.update(`${file}\0${content.length}\0`).update(content);
  }
  return hash.digest('hex').slice(0, 16);
}

/** Copies RPMs into the device and installs them with its rpm (--nodeps: see the top). */
export async function rpmInstall(
  device: VirtualDevice,
  rpms: string[],
  mode: '-i' | '-U' = '-i',
): Promise<{ exitCode: number; stderr: string }> {
  const inside: string[] = [];
  for (const rpm of rpms) {
    const target = `/var/tmp/${rpm.split('/').pop()}`;
    await device.writeFile(target, await readFile(rpm));
    inside.push(target);
  }
  const result = await device.exec(['rpm', mode, '--nodeps', ...inside]);
  await device.sh(`rm -f ${inside.join(' ')}`);
  return result;
}

export async function installAgentRpm(device: VirtualDevice, options: { config?: string } = {}): Promise<void> {
  const install = await rpmInstall(device, await buildRpms());
  if (install.exitCode !== 0)
    throw new Error(`rpm -i of edge-agent failed in device ${device.name}:\n${install.stderr}`);
  if (options.config !== undefined) await device.writeFile('/etc/edge-agent/config.d/50-test.yaml', options.config);
  await device.writeFile('/etc/systemd/system/edge-agent.service.d/50-vdev.conf', vdevDropIn);
  await device.sh('systemctl daemon-reload');
}

/**
 * Makes `node` invisible inside the device (the overlay records the removal; the host keeps its
 * node). The device's /usr/bin/node is a bind mount of the Node the tests run on: unmount it first.
 */
export async function hideSystemNode(device: VirtualDevice): Promise<void> {
  await device.sh(
    'umount /usr/bin/node 2>/dev/null; for n in /usr/bin/node /usr/bin/nodejs /usr/local/bin/node; do rm -f "$n"; done; ! command -v node && ! command -v nodejs',
  );
}

/** A Node.js 22 binary, a supported system nodejs: the pinned, verified build the tests run on. */
export function supportedSystemNode(): string {
  return join(ensureRuntime(22), 'bin', 'node');
}

/**
 * A stand-in for RHEL 9's default nodejs 16: it answers `--version` (all the runtime chooser asks
 * of it) and refuses anything else, so a test notices if it is ever run.
 */
export const unsupportedSystemNode =
  '#!/bin/sh\n# stand-in for RHEL 9\'s nodejs 16 (edge-agent test harness): --version only\n[ "$1" = --version ] && { echo v16.20.2; exit 0; }\necho "node 16 stand-in: not for running programs" >&2\nexit 1\n';
