// Boot facts as plain values a test sets; reboot() gives a new boot id like a real reboot.
import type { BootFacts, GreenbootImplementation, OsRelease } from '../../agent/host/boot-facts.js';

export class FakeBootFacts implements BootFacts {
  id = '8f2c1b6e4a7d4c0e9b3a5f6d7e8c9a0b';
  machine: string | undefined = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
  release: OsRelease | undefined = {
    name: 'Red Hat Enterprise Linux',
    versionId: '9.4',
    prettyName: 'Red Hat Enterprise Linux 9.4 (Plow)',
    id: 'rhel',
    fields: {},
  };
  ostree = true;
  uptime = 42;
  bootTime = Date.parse('2024-06-01T00:00:00Z');
  greenboot: GreenbootImplementation = 'bash';
  private boots = 0;

  constructor(
    patch: Partial<
      Pick<FakeBootFacts, 'id' | 'machine' | 'release' | 'ostree' | 'uptime' | 'bootTime' | 'greenboot'>
    > = {},
  ) {
    Object.assign(this, patch);
  }

  reboot(bootTime = this.bootTime + 60_000): void {
    this.boots += 1;
    this.id = `${this.id.slice(0, 24)}${this.boots.toString(16).padStart(8, '0')}`;
    this.bootTime = bootTime;
    this.uptime = 0;
  }

  bootId = async () => this.id;
  machineId = async () => this.machine;
  osRelease = async () => this.release;
  isOstreeBooted = async () => this.ostree;
  uptimeSec = async () => this.uptime;
  bootTimeMs = async () => this.bootTime;
  greenbootImplementation = async () => this.greenboot;
}
