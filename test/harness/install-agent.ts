// Installs edge-agent into a virtual device the way the RPM lays it out: a /usr/bin/edge-agent
// launcher, the greenboot shims under /etc/greenboot/, and optionally a config. The launcher runs
// the test run's bundle in place (the repo is visible inside every device).
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { agentDist } from './agent-build.js';
import { repoRoot } from './bundle.js';
import type { VirtualDevice } from './vdev.js';

export interface InstallAgentOptions {
  /** YAML for /etc/edge-agent/config.yaml. */
  config?: string;
  /** Install the greenboot shims (default true). */
  shims?: boolean;
}

export async function installAgent(device: VirtualDevice, options: InstallAgentOptions = {}): Promise<void> {
  await device.writeFile('/usr/bin/edge-agent', `#!/bin/sh\nexec /usr/bin/node ${join(agentDist, 'cli.js')} "$@"\n`, 0o755);
  if (options.config !== undefined) await device.writeFile('/etc/edge-agent/config.yaml', options.config);
  if (options.shims === false) return;
  for (const dir of ['check/required.d', 'check/wanted.d', 'green.d', 'red.d']) {
    const source = join(repoRoot, 'greenboot', dir);
    for (const name of await readdir(source).catch(() => [] as string[])) {
      await device.writeFile(`/etc/greenboot/${dir}/${name}`, await readFile(join(source, name)), 0o755);
    }
  }
}
