// The virtual edge device: a throw-away edge host for tests and the demo.
//
// What it simulates: one RHEL for Edge host. The host's real systemd runs as PID 1 in new PID,
// mount, UTS and cgroup namespaces (and a network namespace when asked), over an overlay of `/`
// whose upper layer is the device's "disk" (kept across simulated reboots). Its own system D-Bus
// and journald run inside. Unrelated host services are not started: the device boots a small
// target. What it leaves out: a kernel and bootloader of its own (GRUB's counter logic is applied
// by the greenboot stand-in's reboot step), real ostree deployments (see rpm-ostree stand-in).
//
// The host file system is never written: all writes land in the upper layer under /tmp.
import { execa, type ResultPromise } from 'execa';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile, chmod, symlink, readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { baseUnits, maskedUnits } from './vdev-units.js';
import { assertCanRunDevices } from './vdev-preflight.js';
import { cgroupRoot, killCgroup, removeCgroup } from './vdev-cgroup.js';

const here = dirname(fileURLToPath(import.meta.url));
const bootScript = join(here, 'vdev-boot.sh');
// The checkout the harness runs from: devices run its bundles in place (see vdev-boot.sh).
const checkout = join(here, '..', '..');
const stateBase = process.env.EDGE_VDEV_DIR ?? '/tmp';
const live = new Set<VirtualDevice>();

export interface DeviceOptions {
  /** Host name inside the device; also names its state directory. */
  name?: string;
  /** A private network namespace with only `lo` (default: share the host's loopback). */
  network?: boolean;
  /** Create /run/ostree-booted on every boot (default true). */
  ostree?: boolean;
  /** Files written into the disk before the first boot: path inside the device -> content. */
  files?: Record<string, string | { content: string; mode?: number }>;
  /**
   * The Node.js binary the device sees as /usr/bin/node, its "system nodejs": by default the one
   * running the tests, so `npm test`'s run under Node 22 or 24 runs the agent inside on that line
   * too (the host's own /usr/bin/node may be an unsupported line).
   */
  systemNode?: string;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  env?: Record<string, string>;
  input?: string;
  timeoutMs?: number;
  cwd?: string;
}

export interface JournalEntry {
  MESSAGE: string;
  PRIORITY: string;
  SYSLOG_IDENTIFIER?: string;
  _SYSTEMD_UNIT?: string;
  _BOOT_ID: string;
  [field: string]: unknown;
}

export interface JournalQuery {
  unit?: string;
  identifier?: string;
  /** Only this boot (default) or all boots kept by journald. */
  allBoots?: boolean;
  /** Extra journalctl match terms, e.g. ['EDGE_AGENT_OUTCOME=fail']. */
  matches?: string[];
}

/** How PID 1 ended by itself: systemd in a PID namespace dies of SIGHUP on reboot(2) restart and
 * of SIGINT on power-off/halt, and `unshare --fork` re-raises that signal. */
export type HaltReason = 'reboot' | 'poweroff' | 'exit';

export class VirtualDevice {
  /** Host PID of the device's PID 1 (systemd). */
  pid = 0;
  bootId = '';
  bootCount = 0;
  private unshare: ResultPromise | undefined;
  private cgroup = '';

  private constructor(
    readonly name: string,
    readonly stateDir: string,
    private readonly options: DeviceOptions,
  ) {}

  /** Create a device and boot it. Resolves once systemd reports the boot finished. */
  static async boot(options: DeviceOptions = {}): Promise<VirtualDevice> {
    await assertCanRunDevices();
    await reapStaleDevices();
    const name = options.name ?? `edge-${randomUUID().slice(0, 8)}`;
    const stateDir = await mkdtemp(join(stateBase, `edge-vdev-${name}-`));
    const device = new VirtualDevice(name, stateDir, options);
    live.add(device);
    try {
      await device.prepareDisk();
      await device.start();
    } catch (error) {
      await device.dispose();
      throw error;
    }
    return device;
  }

  /** The device's root as seen from the host (through the PID 1's root link). */
  get root(): string {
    return `/proc/${this.pid}/root`;
  }

  /** Address of the device's system bus, usable by dbus-next from the host. */
  get busAddress(): string {
    return `unix:path=${this.root}/run/dbus/system_bus_socket`;
  }

  /** Path of a file inside the device, as seen from the host. */
  path(inside: string): string {
    return join(this.root, inside);
  }

  async exec(argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
    const env = {
      PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      HOME: '/root',
      LANG: 'C.UTF-8',
      ...options.env,
    };
    const envArgs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
    // nsenter forks the command into the device: killing nsenter alone would leave the command
    // running there. It gets a process group of its own, and a timeout kills the whole group.
    const subprocess = this.watchInside(
      execa('nsenter', [...this.nsenterArgs(), `--wd=${options.cwd ?? '/'}`, '--', 'env', '-i', ...envArgs, ...argv], {
        reject: false,
        input: options.input,
        detached: true,
        stripFinalNewline: false,
      }),
    );
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (subprocess.pid) process.kill(-subprocess.pid, 'SIGKILL');
      } catch {
        // the group is gone already
      }
    }, options.timeoutMs ?? 60_000);
    const result = await subprocess.finally(() => clearTimeout(timer));
    return {
      exitCode: timedOut ? 124 : (result.exitCode ?? 128),
      stdout: String(result.stdout),
      stderr: String(result.stderr),
    };
  }

  /** Run a bash script inside; throws with its output when it exits non-zero. */
  async sh(script: string, options: ExecOptions = {}): Promise<string> {
    const result = await this.exec(['bash', '-c', script], options);
    if (result.exitCode !== 0) {
      throw new Error(
        `device ${this.name}: script exited ${result.exitCode}: ${script}\n${result.stdout}${result.stderr}`,
      );
    }
    return result.stdout;
  }

  /** Start a command inside without waiting for it (e.g. a long wait under test). */
  spawn(argv: string[], options: Omit<ExecOptions, 'timeoutMs'> = {}): ResultPromise {
    const env = {
      PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      HOME: '/root',
      LANG: 'C.UTF-8',
      ...options.env,
    };
    const envArgs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
    return this.watchInside(
      execa('nsenter', [...this.nsenterArgs(), `--wd=${options.cwd ?? '/'}`, '--', 'env', '-i', ...envArgs, ...argv], {
        reject: false,
        input: options.input,
      }),
    );
  }

  async writeFile(inside: string, content: string | Buffer, mode?: number): Promise<void> {
    const target = this.path(inside);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content);
    if (mode !== undefined) await chmod(target, mode);
  }

  async readFile(inside: string): Promise<string> {
    return readFile(this.path(inside), 'utf8');
  }

  exists(inside: string): boolean {
    return existsSync(this.path(inside));
  }

  /** Install a unit file under /etc/systemd/system and reload systemd. */
  async installUnit(name: string, content: string, options: { enable?: boolean; start?: boolean } = {}): Promise<void> {
    await this.writeFile(`/etc/systemd/system/${name}`, content);
    await this.sh('systemctl daemon-reload');
    if (options.enable) await this.sh(`systemctl enable ${name}`);
    if (options.start) await this.sh(`systemctl start ${name}`);
  }

  async systemctl(...args: string[]): Promise<ExecResult> {
    return this.exec(['systemctl', ...args]);
  }

  /** Journal entries of the current boot (or all boots) as parsed JSON. */
  async journal(query: JournalQuery = {}): Promise<JournalEntry[]> {
    const args = ['journalctl', '-o', 'json', '--no-pager'];
    if (!query.allBoots) args.push('-b');
    if (query.unit) args.push('-u', query.unit);
    if (query.identifier) args.push('-t', query.identifier);
    args.push(...(query.matches ?? []));
    const result = await this.exec(args);
    return parseJournalJson(result.stdout);
  }

  /** Messages only, for readable assertions. */
  async journalMessages(query: JournalQuery = {}): Promise<string[]> {
    return (await this.journal(query)).map((e) => String(e.MESSAGE));
  }

  /** Set once PID 1 has exited by itself (e.g. `systemctl reboot` inside); reboot() boots it again. */
  get halted(): HaltReason | undefined {
    const unshare = this.unshare;
    if (!unshare || (unshare.exitCode === null && unshare.signalCode === null)) return undefined;
    return unshare.signalCode === 'SIGHUP' ? 'reboot' : unshare.signalCode === 'SIGINT' ? 'poweroff' : 'exit';
  }

  /** Wait until PID 1 exits by itself; throws after timeoutMs. */
  async waitForHalt(timeoutMs = 30_000): Promise<HaltReason> {
    const unshare = this.unshare;
    if (!unshare) throw new Error(`device ${this.name} is not running`);
    const ended = await Promise.race([unshare.then(() => true), sleep(timeoutMs).then(() => false)]);
    if (!ended) throw new Error(`device ${this.name} did not halt within ${timeoutMs} ms`);
    return this.halted ?? 'exit';
  }

  /** Power off and boot again from the same disk: a new boot id, fresh /run and /tmp. */
  async reboot(): Promise<void> {
    await this.powerOff();
    await this.start();
  }

  /** Power off, remove its cgroups and its disk. Safe to call twice. */
  async dispose(): Promise<void> {
    await this.powerOff();
    await rm(this.stateDir, { recursive: true, force: true });
    live.delete(this);
  }

  /**
   * Keeps a command run inside from stalling the device's shutdown when the device reboots itself
   * while the command runs. systemd's final kill spree SIGSTOPs every process before signalling
   * it; nsenter (outside the device) sees its child stop, stops itself too and never reaps the
   * killed child (a 90 s wait for a zombie): so keep continuing nsenter. And PID 1 is not the
   * parent of the command, so it learns of its end only by polling every 10 s: so tell it (SIGCHLD
   * is harmless to systemd at any other time).
   */
  private watchInside<T extends ResultPromise>(subprocess: T): T {
    const init = this.pid;
    const signal = (pid: number | undefined, name: NodeJS.Signals) => {
      try {
        if (pid) process.kill(pid, name);
      } catch {
        // already gone
      }
    };
    const timer = setInterval(() => signal(subprocess.pid, 'SIGCONT'), 100);
    timer.unref();
    const done = () => {
      clearInterval(timer);
      signal(init, 'SIGCHLD');
    };
    subprocess.then(done, done);
    return subprocess;
  }

  private nsenterArgs(): string[] {
    // -r/-w: take the device's root and cwd too; entering only the mount namespace leaves our
    // cwd pointing into the host's tree, which getcwd() cannot resolve inside.
    const args = ['-t', String(this.pid), '-m', '-p', '-u', '-C', '-T', '-r', '-w'];
    if (this.options.network) args.push('-n');
    return args;
  }

  private async prepareDisk(): Promise<void> {
    for (const dir of ['upper', 'work', 'merged', 'boot']) await mkdir(join(this.stateDir, dir), { recursive: true });
    await writeFile(join(this.stateDir, 'owner.json'), JSON.stringify({ pid: process.pid, name: this.name }));
    if (this.options.ostree !== false) await writeFile(join(this.stateDir, 'ostree-booted'), '');
    const upper = join(this.stateDir, 'upper');
    const put = async (inside: string, content: string, mode = 0o644) => {
      const target = join(upper, inside);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, content);
      await chmod(target, mode);
    };
    await put('/etc/machine-id', `${randomUUID().replaceAll('-', '')}\n`, 0o444);
    await put('/etc/hostname', `${this.name}\n`);
    for (const [name, content] of Object.entries(baseUnits)) await put(`/etc/systemd/system/${name}`, content);
    const unitDir = join(upper, 'etc/systemd/system');
    await symlink('edge-device.target', join(unitDir, 'default.target'));
    for (const unit of maskedUnits) {
      await symlink('/dev/null', join(unitDir, unit)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
      });
    }
    for (const [inside, spec] of Object.entries(this.options.files ?? {})) {
      if (typeof spec === 'string') await put(inside, spec);
      else await put(inside, spec.content, spec.mode);
    }
  }

  private async start(): Promise<void> {
    this.bootId = randomUUID();
    this.bootCount += 1;
    await writeFile(join(this.stateDir, 'boot', 'console'), '');
    this.cgroup = join(cgroupRoot(), 'edge-vdev', `${this.name}-${this.bootCount}-${process.pid}`);
    await mkdir(this.cgroup, { recursive: true });
    const namespaces = [
      '--pid',
      '--mount',
      '--uts',
      '--fork',
      '--kill-child',
      ...(this.options.network ? ['--net'] : []),
      ...(await deviceClock()),
    ];
    // The child moves itself into the device's cgroup first, then takes a cgroup namespace
    // rooted there, so systemd inside sees that cgroup as its whole tree.
    const child = `echo 0 > '${this.cgroup}/cgroup.procs' && exec unshare --cgroup '${bootScript}' "$@"`;
    this.unshare = execa(
      'unshare',
      [
        ...namespaces,
        'bash',
        '-c',
        child,
        'vdev',
        this.stateDir,
        this.name,
        this.bootId,
        this.options.network ? '1' : '0',
        this.options.systemNode ?? process.execPath,
        checkout,
      ],
      {
        reject: false,
        stdin: 'ignore',
        stdout: 'pipe',
        stderr: 'pipe',
      },
    );
    this.pid = await this.waitForInit();
    await this.waitForBoot();
  }

  /** Host PID of the device's PID 1, once it has become systemd. */
  private async waitForInit(): Promise<number> {
    const unsharePid = this.unshare?.pid;
    if (!unsharePid) throw new Error('unshare did not start');
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (this.unshare?.exitCode !== null && this.unshare?.exitCode !== undefined) break;
      const children = await readFile(`/proc/${unsharePid}/task/${unsharePid}/children`, 'utf8').catch(() => '');
      const pid = Number(children.trim().split(' ')[0]);
      if (pid > 0) {
        const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
        if (comm.trim() === 'systemd') return pid;
      }
      await sleep(10);
    }
    const result = await this.unshare;
    throw new Error(`device ${this.name} did not start systemd: ${String(result?.stderr ?? '')}`);
  }

  /**
   * Resolves when the boot has finished, or when systemd is up but a long boot job (greenboot's
   * health check waiting for MicroShift) keeps the boot "starting" past settleMs: the device is
   * usable then, and tests watch the job themselves.
   */
  private async waitForBoot(settleMs = 15_000): Promise<void> {
    const deadline = Date.now() + settleMs;
    let last = '';
    while (Date.now() < deadline) {
      // A unit may reboot the device during its boot (greenboot's redboot-auto-reboot): see halted.
      if (this.halted) return;
      const result = await this.exec(['systemctl', 'is-system-running', '--wait'], {
        timeoutMs: Math.max(100, deadline - Date.now()),
      });
      last = result.stdout.trim() || result.stderr.trim();
      if (last === 'running' || last === 'degraded') return;
      await sleep(20);
    }
    // A long boot job keeps the boot "starting"; a red boot may be rebooting itself meanwhile
    // (redboot-auto-reboot): neither is a boot that failed to come up.
    if (this.halted) return;
    // No answer at all (an exec cut off by its limit on a loaded machine) is not a state: ask again,
    // for up to a minute, before calling the boot failed.
    let state = '';
    const askUntil = Date.now() + 60_000;
    while (!state && !this.halted && Date.now() < askUntil) {
      state = (await this.exec(['systemctl', 'is-system-running'], { timeoutMs: 10_000 })).stdout.trim();
      if (!state) await sleep(500);
    }
    // Booted meanwhile: the `--wait` above was cut off by settleMs just before the boot ended (a
    // long greenboot check on a busy machine). systemd says "initializing" rather than "starting"
    // while a boot job that the default target waits for (greenboot's health check) still runs; on
    // a busy machine that outlasts settleMs.
    const usable = ['running', 'degraded', 'initializing', 'starting', 'stopping'];
    if (usable.includes(state) || this.halted) return;
    last = state || last;
    const console = await readFile(join(this.stateDir, 'boot', 'console'), 'utf8').catch(() => '');
    throw new Error(`device ${this.name} did not finish booting (last state: ${last})\n${console}`);
  }

  private async powerOff(): Promise<void> {
    if (!this.unshare) return;
    const unshare = this.unshare;
    this.unshare = undefined;
    if (this.pid > 0 && !this.halted) {
      // SIGRTMIN+4 asks systemd for an orderly poweroff.
      await execa('kill', ['-s', 'SIGRTMIN+4', String(this.pid)], { reject: false });
      const stopped = await Promise.race([unshare.then(() => true), sleep(5000).then(() => false)]);
      if (!stopped) unshare.kill('SIGKILL');
    } else {
      unshare.kill('SIGKILL');
    }
    await killCgroup(this.cgroup);
    await unshare;
    await removeCgroup(this.cgroup);
    this.pid = 0;
  }
}

/** Remove devices left behind by a test process that died (their owner PID is gone). */
async function reapStaleDevices(): Promise<void> {
  const entries = await readdir(stateBase).catch(() => [] as string[]);
  for (const entry of entries.filter((e) => e.startsWith('edge-vdev-'))) {
    const dir = join(stateBase, entry);
    const owner = await readFile(join(dir, 'owner.json'), 'utf8')
      .then((t) => JSON.parse(t) as { pid: number })
      .catch(() => undefined);
    if (owner && (owner.pid === process.pid || (await isAlive(owner.pid)))) continue;
    // Another test process may be reaping the same directory right now: gone is fine.
    const made = await stat(dir).catch(() => undefined);
    if (!made) continue;
    if (!owner && Date.now() - made.mtimeMs < 60_000) continue;
    await rm(dir, { recursive: true, force: true });
  }
  const groups = join(cgroupRoot(), 'edge-vdev');
  // A cgroup directory also lists its interface files (cgroup.procs, ...): only subdirectories are devices.
  const children = await readdir(groups, { withFileTypes: true }).catch(() => []);
  for (const group of children.filter((e) => e.isDirectory()).map((e) => e.name)) {
    const ownerPid = Number(group.split('-').pop());
    if (ownerPid === process.pid || (await isAlive(ownerPid))) continue;
    await killCgroup(join(groups, group));
    await removeCgroup(join(groups, group));
  }
}

async function isAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `journalctl -o json` output, one entry per line. */
export function parseJournalJson(text: string): JournalEntry[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      // journalctl prints non-UTF-8 or binary messages as byte arrays.
      if (Array.isArray(entry.MESSAGE)) entry.MESSAGE = Buffer.from(entry.MESSAGE as number[]).toString('utf8');
      return entry as JournalEntry;
    });
}

/** Power off every device this process still has (used by test teardown and signal handlers). */
export async function disposeAllDevices(): Promise<void> {
  await Promise.all([...live].map((device) => device.dispose()));
}

// Leave nothing running when the test process ends abruptly: kill the device's whole cgroup.
process.once('exit', () => {
  for (const device of live) {
    if (device.pid > 0) {
      try {
        process.kill(device.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
});

/**
 * A time namespace per boot whose clocks start at zero: the device's /proc/uptime, its btime in
 * /proc/stat and CLOCK_BOOTTIME/CLOCK_MONOTONIC count from this boot, not from the host's, so
 * each boot of a device has a boot time of its own. (The offset may not take a clock below 0.)
 */
async function deviceClock(): Promise<string[]> {
  const uptime = Math.floor(Number((await readFile('/proc/uptime', 'utf8')).split(' ')[0]));
  return ['--time', '--boottime', String(-uptime), '--monotonic', String(-uptime)];
}
