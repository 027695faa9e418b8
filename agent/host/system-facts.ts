// Cheap facts about this boot and this host, read from files (through HostFs, so tests lay the
// files out in a directory). Nothing here runs a tool or talks to a daemon.
import { DataError, HostError } from '../errors.js';
import type { Clock } from './clock.js';
import type { HostFs } from './fs.js';

export interface OsRelease {
  name?: string;
  versionId?: string;
  prettyName?: string;
  id?: string;
  /** Every key of the file, unquoted. */
  fields: Record<string, string>;
}

/** Which greenboot is installed: the bash one RHEL 9 ships, or the Rust rewrite (0.16+). */
export type GreenbootImplementation = 'bash' | 'rs' | 'none' | 'unknown';

export interface BootFacts {
  /** The kernel's boot id as 32 lowercase hex digits, no dashes: the form journald's `_BOOT_ID` uses. */
  bootId(): Promise<string>;
  /** `undefined` when /etc/machine-id is missing, empty or still `uninitialized`. */
  machineId(): Promise<string | undefined>;
  osRelease(): Promise<OsRelease | undefined>;
  isOstreeBooted(): Promise<boolean>;
  uptimeSec(): Promise<number>;
  /** When the kernel booted (ms since the epoch), to tell whether a file was written during this boot. */
  bootTimeMs(): Promise<number>;
  greenbootImplementation(): Promise<GreenbootImplementation>;
}

const UNIT_DIRS = ['/etc/systemd/system', '/usr/lib/systemd/system', '/lib/systemd/system'];
// Units only one implementation ships (greenboot 0.15.x bash vs greenboot-rs 0.16.x).
const BASH_ONLY_UNIT = 'greenboot-grub2-set-counter.service';
const RS_ONLY_UNIT = 'greenboot-set-rollback-trigger.service';
const COMMON_UNITS = ['greenboot-healthcheck.service', 'greenboot-task-runner.service', 'redboot-task-runner.service'];

export function createBootFacts(options: { fs: HostFs; clock: Clock }): BootFacts {
  const { fs, clock } = options;
  const read = async (path: string) => {
    const text = await fs.readText(path);
    if (text === undefined) throw new HostError('boot-fact-missing', `${fs.resolve(path)} does not exist`);
    return text;
  };
  const unitExists = async (unit: string) =>
    (await Promise.all(UNIT_DIRS.map((dir) => fs.exists(`${dir}/${unit}`)))).some(Boolean);
  const facts: BootFacts = {
    async bootId() {
      return (await read('/proc/sys/kernel/random/boot_id')).trim().replaceAll('-', '').toLowerCase();
    },
    async machineId() {
      const id = (await fs.readText('/etc/machine-id'))?.trim();
      // systemd writes "uninitialized" until the first boot has committed the id.
      return id && /^[0-9a-f]{32}$/i.test(id) ? id.toLowerCase() : undefined;
    },
    async osRelease() {
      // os-release(5): /etc/os-release, falling back to /usr/lib/os-release.
      const text = (await fs.readText('/etc/os-release')) ?? (await fs.readText('/usr/lib/os-release'));
      if (text === undefined) return undefined;
      const fields = parseOsRelease(text);
      return { name: fields.NAME, versionId: fields.VERSION_ID, prettyName: fields.PRETTY_NAME, id: fields.ID, fields };
    },
    isOstreeBooted() {
      return fs.exists('/run/ostree-booted');
    },
    async uptimeSec() {
      const text = await read('/proc/uptime');
      const uptime = Number.parseFloat(text);
      if (!Number.isFinite(uptime))
        throw new DataError('boot-fact-invalid', `${fs.resolve('/proc/uptime')}: not an uptime: "${text.trim()}"`);
      return uptime;
    },
    async bootTimeMs() {
      const btime = /^btime\s+(\d+)$/m.exec((await fs.readText('/proc/stat')) ?? '');
      if (btime?.[1]) return Number(btime[1]) * 1000;
      return Math.round(clock.now() - (await facts.uptimeSec()) * 1000);
    },
    async greenbootImplementation() {
      const [bash, rs] = await Promise.all([unitExists(BASH_ONLY_UNIT), unitExists(RS_ONLY_UNIT)]);
      if (bash && !rs) return 'bash';
      if (rs && !bash) return 'rs';
      if (bash && rs) return 'unknown';
      return (await Promise.all(COMMON_UNITS.map(unitExists))).some(Boolean) ? 'unknown' : 'none';
    },
  };
  return facts;
}

/** os-release is shell-like `KEY=value` with optional single or double quotes. */
export function parseOsRelease(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!match?.[1]) continue;
    let value = (match[2] ?? '').trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) {
      value = value.slice(1, -1).replace(/\\(["\\`$])/g, '$1');
    } else if (value.startsWith("'") && value.endsWith("'") && value.length >= 2) {
      value = value.slice(1, -1);
    }
    fields[match[1]] = value;
  }
  return fields;
}
