// Installs edge-agent into a virtual device from its real RPMs (built once per test process with
// packaging/rpm/build-rpm.mjs), with the device's own rpm database: what an Image Builder image
// gets. --nodeps because nodejs and greenboot are not rpm packages inside the device.
import { execa } from 'execa';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from './bundle.js';
import { vdevDropIn } from './install-agent.js';
import type { VirtualDevice } from './vdev.js';

let built: Promise<string[]> | undefined;

/** The main and the -journald RPM, built once per process into build/rpm-harness-<pid>. */
export function buildRpms(): Promise<string[]> {
  built ??= (async () => {
    const outdir = join(repoRoot, 'build', `rpm-harness-${process.pid}`);
    const result = await execa('node', ['packaging/rpm/build-rpm.mjs', '--no-lint', '--outdir', outdir], { cwd: repoRoot, reject: false, all: true });
    if (result.exitCode !== 0) throw new Error(`building the RPMs failed:\n${result.all}`);
    return (await readdir(outdir)).filter((n) => n.endsWith('.rpm')).map((n) => join(outdir, n));
  })();
  return built;
}

export async function installAgentRpm(device: VirtualDevice, options: { config?: string } = {}): Promise<void> {
  const rpms = await buildRpms();
  const inside: string[] = [];
  for (const rpm of rpms) {
    const target = `/var/tmp/${rpm.split('/').pop()}`;
    await device.writeFile(target, await readFile(rpm));
    inside.push(target);
  }
  await device.sh(`rpm -i --nodeps ${inside.join(' ')} && rm -f ${inside.join(' ')}`);
  if (options.config !== undefined) await device.writeFile('/etc/edge-agent/config.d/50-test.yaml', options.config);
  await device.writeFile('/etc/systemd/system/edge-agent.service.d/50-vdev.conf', vdevDropIn);
  await device.sh('systemctl daemon-reload');
}
