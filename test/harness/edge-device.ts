// A complete virtual edge host for tests and the demo: the virtual device with the rpm-ostree
// and GRUB stand-ins, bash greenboot (or greenboot-rs), a simulated MicroShift and edge-agent
// installed like the RPM would. Booted once more at the end so greenboot runs at boot, as on a
// real host.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BootRecord } from '../../agent/core/boot-record.js';
import { installGreenboot, settleBoot } from './greenboot/boot-cycle.js';
import type { GreenbootImplementation } from './greenboot/install-greenboot.js';
import { installAgent } from './install-agent.js';
import { installAgentRpm } from './install-rpm.js';
import { installMicroShift, type MicroShiftInstallState } from './microshift/install.js';
import { scenario as preset, type Scenario } from './microshift/scenario.js';
import { installRpmOstree, type DeploymentSpec } from './rpm-ostree/device-rpm-ostree.js';
import { VirtualDevice, type DeviceOptions } from './vdev.js';

export interface EdgeDeviceOptions extends DeviceOptions {
  microshift?: Scenario | { state: MicroShiftInstallState; scenario?: Scenario };
  /** /etc/edge-agent/config.yaml. */
  config?: string;
  /** 'bundle' (default): the test run's bundle in place; 'rpm': the built RPMs installed with rpm; false: none. */
  agent?: 'bundle' | 'rpm' | false;
  greenboot?: { implementation?: GreenbootImplementation; maxBootAttempts?: number };
  deployments?: DeploymentSpec[];
  /** Reboot after installing so greenboot runs at boot (default true); wait for it to finish. */
  boot?: 'settle' | 'start' | false;
}

export async function bootEdgeDevice(options: EdgeDeviceOptions = {}): Promise<VirtualDevice> {
  const device = await VirtualDevice.boot(options);
  try {
    await installRpmOstree(device, { deployments: options.deployments });
    await installGreenboot(device, options.greenboot);
    const ms = options.microshift;
    if (ms) {
      const spec = 'state' in ms ? ms : { state: 'enabled' as const, scenario: ms };
      await installMicroShift(device, {
        scenario: spec.scenario ?? preset('healthy'),
        state: spec.state,
        start: false,
      });
    }
    if (options.agent === 'rpm') await installAgentRpm(device, { config: options.config });
    else if (options.agent !== false) await installAgent(device, { config: options.config });
    const boot = options.boot ?? 'settle';
    if (boot) {
      await device.reboot();
      if (boot === 'settle') await settleBoot(device, 180_000);
    }
    return device;
  } catch (error) {
    await device.dispose();
    throw error;
  }
}

/**
 * A boot's record as it is on the device's disk (its overlay's upper layer): readable while the
 * device is down, or while a red boot is already rebooting itself.
 */
export async function recordOnDisk(device: VirtualDevice, bootId: string): Promise<BootRecord> {
  return JSON.parse(
    await readFile(
      join(device.stateDir, 'upper/var/lib/edge-agent/boots', `${bootId.replaceAll('-', '')}.json`),
      'utf8',
    ),
  ) as BootRecord;
}
