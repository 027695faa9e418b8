// Host side of the CRI-O stand-in: install it into a virtual device, start a podman container
// next to it, script faults.
//
// What it simulates: CRI-O as MicroShift uses it on RHEL for Edge: crio.service answering on
// /var/run/crio/crio.sock, /usr/bin/crictl and /etc/crictl.yaml, /usr/bin/conmon, the pods of
// MicroShift's core workloads (run when the simulated MicroShift's kubelet asks for them: see
// microshift/sim-main.ts) as real processes named pause, conmon, ovn-controller, ovn-northd, ...
// in their own scopes, the OVN leftovers on the host, an ovsdb-server.service, and a podman
// container whose conmon belongs to podman, not to CRI-O. What it leaves out: images, networking,
// container restarts, podman itself (only the processes a podman container leaves), the real
// drop_infra_ctr default (pods get a pause process unless `dropInfra`).
import { randomBytes } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import { bundleHarnessProgram } from '../bundle.js';
import type { VirtualDevice } from '../vdev.js';
import type { CrioFault } from './faults.js';
import { knownExecutables } from './images.js';
import { crioPaths } from './paths.js';
import { readProcess } from './processes.js';
import { conmonArgv } from './runtime.js';
import { conmonScript, crictlConfig, crioUnit, microshiftDropIn, ovsdbUnit } from './units.js';

export interface CrioInstallOptions {
  /** Start crio.service and ovsdb-server.service now (default true); they are enabled either way. */
  start?: boolean;
  /** No pause processes, as CRI-O's drop_infra_ctr does for pods without a shared PID namespace. */
  dropInfra?: boolean;
  /** How long a container gets between SIGTERM and SIGKILL when its pod stops (default 2000). */
  stopGraceMs?: number;
  /** Write /etc/crictl.yaml (default true); without it crictl warns and tries default endpoints. */
  crictlConfig?: boolean;
}

export async function installCrio(device: VirtualDevice, options: CrioInstallOptions = {}): Promise<void> {
  const [daemon, crictl] = await Promise.all([
    bundleHarnessProgram('test/harness/crio/daemon.ts', 'crio-sim'),
    bundleHarnessProgram('test/harness/crio/crictl.ts', 'crictl-sim'),
  ]);
  await device.writeFile(
    crioPaths.crictl,
    `#!/bin/sh\n# crictl stand-in of the edge-agent test harness (test/harness/crio)\nexec ${process.execPath} ${crictl} "$@"\n`,
    0o755,
  );
  await device.writeFile(crioPaths.conmon, conmonScript, 0o755);
  if (options.crictlConfig !== false) await device.writeFile(crioPaths.crictlConfig, crictlConfig);
  const names = ['pause', 'ovsdb-server', ...knownExecutables()];
  await device.sh(
    `mkdir -p ${crioPaths.binDir} && for n in ${[...new Set(names)].join(' ')}; do cp /usr/bin/sleep ${crioPaths.binDir}/$n; done`,
  );
  await device.writeFile(
    crioPaths.unit,
    crioUnit({
      node: process.execPath,
      bundle: daemon,
      stopGraceMs: options.stopGraceMs ?? 2000,
      dropInfra: options.dropInfra ?? false,
    }),
  );
  await device.writeFile(crioPaths.ovsdbUnit, ovsdbUnit(`${crioPaths.binDir}/ovsdb-server`));
  await device.writeFile(crioPaths.microshiftDropIn, microshiftDropIn);
  await device.sh('systemctl daemon-reload && systemctl enable --quiet crio.service ovsdb-server.service');
  if (options.start !== false) await device.sh('systemctl start crio.service ovsdb-server.service');
}

/** Replace the scripted faults (an empty list clears them). */
export async function setCrioFaults(device: VirtualDevice, faults: CrioFault[]): Promise<void> {
  const target = device.path(crioPaths.faults);
  await device.sh(`mkdir -p ${crioPaths.faults.slice(0, crioPaths.faults.lastIndexOf('/'))}`);
  await writeFile(`${target}.tmp`, `${JSON.stringify({ faults }, null, 2)}\n`);
  await rename(`${target}.tmp`, target);
}

export interface PodmanContainer {
  id: string;
  name: string;
  conmonPid: number;
  pid: number;
  /** libpod-conmon-<id>.scope and libpod-<id>.scope under machine.slice, as podman makes them. */
  conmonScope: string;
  scope: string;
}

/**
 * A podman container's processes, outside CRI-O: conmon (the same /usr/bin/conmon) and a main
 * process named `process` (default: the container's name), e.g. a second `ovn-controller` that a
 * host-wide `pkill` would hit but a cleanup through CRI-O must leave alone.
 */
export async function startPodmanContainer(
  device: VirtualDevice,
  name: string,
  options: { process?: string } = {},
): Promise<PodmanContainer> {
  const id = randomBytes(32).toString('hex');
  const executable = `/usr/libexec/podman-sim/bin/${options.process ?? name}`;
  await device.sh(`mkdir -p /usr/libexec/podman-sim/bin && [ -e ${executable} ] || cp /usr/bin/sleep ${executable}`);
  const stateDir = `${crioPaths.podmanDir}/${id}`;
  const argv = conmonArgv({
    id,
    name,
    executable,
    args: ['infinity'],
    slice: 'machine.slice',
    scopePrefix: 'libpod',
    stateDir,
    exitDir: `${crioPaths.podmanDir}/exits`,
  });
  await device.sh(`mkdir -p ${stateDir}`);
  const result = await device.exec(argv);
  if (result.exitCode !== 0)
    throw new Error(`podman container ${name}: conmon exited ${result.exitCode}: ${result.stderr}`);
  const conmonPid = Number((await device.readFile(`${stateDir}/conmon-pidfile`)).trim());
  const pid = Number((await device.readFile(`${stateDir}/pidfile`)).trim());
  const want = (options.process ?? name).slice(0, 15);
  const deadline = Date.now() + 5000;
  while ((await readProcess(device, pid))?.comm !== want) {
    if (Date.now() > deadline) throw new Error(`podman container ${name}: process ${pid} did not become ${want}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return { id, name, conmonPid, pid, conmonScope: `libpod-conmon-${id}.scope`, scope: `libpod-${id}.scope` };
}
