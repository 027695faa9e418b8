// Installs edge-agent into a virtual device from its real RPMs (built once per test process with
// packaging/rpm/build-rpm.mjs: edge-agent and edge-agent-runtime for this machine's architecture),
// with the device's own rpm database: what an Image Builder image for RHEL 9 gets. --nodeps
// because greenboot, bash and glibc are not rpm packages inside the device.
import { execa } from 'execa';
import { readdir, readFile } from 'node:fs/promises';
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

/** The main RPM and this architecture's edge-agent-runtime, built once per process into build/rpm-harness-<pid>. */
export function buildRpms(): Promise<string[]> {
  built ??= (async () => {
    const outdir = join(repoRoot, 'build', `rpm-harness-${process.pid}`);
    const result = await execa(
      'node',
      ['packaging/rpm/build-rpm.mjs', '--no-lint', '--runtime', await hostRpmArch(), '--outdir', outdir],
      { cwd: repoRoot, reject: false, all: true },
    );
    if (result.exitCode !== 0) throw new Error(`building the RPMs failed:\n${result.all}`);
    return (await readdir(outdir)).filter((n) => n.endsWith('.rpm')).map((n) => join(outdir, n));
  })();
  return built;
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
