// The one Host: every adapter a command may use, built by the composition root (main.ts) and
// handed to the command. Cheap adapters are made at once; costly ones (D-Bus, the Kubernetes
// client, crictl, the record store) are made on first use through a dynamic import, so a light
// command such as `status` never loads them. Tests build the same shape from fakes.
import { systemClock, type Clock } from './clock.js';
import { createExec, createSafeExec, type Exec } from './exec.js';
import { createHostFs, type HostFs } from './fs.js';
import { closeCreated, lazy, type Lazy } from './lazy.js';
import type { BootRecords } from './record-store.js';
import type { Crio } from './crio.js';
import type { MicroShiftApi } from './microshift-api.js';
import type { Systemd } from './systemd.js';
import { HostError } from '../errors.js';

export interface Host {
  /** Root of every host path (EDGE_AGENT_ROOT in tests, `/` on a device). */
  root: string;
  fs: HostFs;
  exec: Exec;
  clock: Clock;
  env: Readonly<Record<string, string | undefined>>;
  isRoot: boolean;
  /** systemd over D-Bus: one connection for the whole run. */
  systemd: Lazy<Systemd>;
  /** CRI-O through crictl. */
  crio: Lazy<Crio>;
  /** The MicroShift API (needs the config's kubeconfig). */
  microshift: Lazy<MicroShiftApi>;
  /** The per-boot records in /var (needs the config's boots.dir). */
  records: Lazy<BootRecords>;
  /**
   * Sends a signal to a host process (the pre-rollback step that ends MicroShift's pod processes).
   * Refused in safe mode like a reboot: a dry run or a test must not end anything on the host.
   */
  kill(pid: number, signal: NodeJS.Signals): Promise<void>;
  /** Closes the clients that were made; never makes one. */
  close(): Promise<void>;
}

/** What the adapters take from the config; known only once main.ts has loaded it. */
export interface HostSettings {
  kubeconfig: string;
  bootsDir: string;
  /** Where a record store's warnings go (the command's logger). */
  warn: (message: string) => void;
}

export interface HostOptions {
  env?: Record<string, string | undefined>;
  /** Read on the first use of an adapter that needs the config. */
  settings?: () => HostSettings | undefined;
  /**
   * Refuse, in the adapters themselves, whatever would reboot, roll back or stop services: for
   * `--dry-run` and for tests (see exec.ts createSafeExec and safeSystemd below).
   */
  safe?: boolean;
}

export function createHost(options: HostOptions = {}): Host {
  const env = options.env ?? process.env;
  const root = env.EDGE_AGENT_ROOT || '/';
  const fs = createHostFs(root);
  const exec = options.safe ? createSafeExec(createExec()) : createExec();
  const clock = systemClock;
  const settings = (what: string): HostSettings => {
    const found = options.settings?.();
    // A command that uses these without a config is a bug in the command table, not bad input.
    if (!found) throw new HostError('no-config', `${what} needs the configuration, which this command did not load`);
    return found;
  };
  const systemd = lazy(async () => {
    const real = (await import('./systemd.js')).createSystemd({ busAddress: env.DBUS_SYSTEM_BUS_ADDRESS });
    return options.safe ? safeSystemd(real) : real;
  });
  const crio = lazy(async () => (await import('./crio.js')).createCrio({ exec, fs }));
  const microshift = lazy(async () =>
    (await import('./microshift-api.js')).createMicroShiftApi({
      fs,
      kubeconfig: settings('the MicroShift API').kubeconfig,
    }),
  );
  const records = lazy(async () => {
    const { bootsDir, warn } = settings('the boot records');
    return (await import('./record-store.js')).createBootRecords({ fs, clock, dir: bootsDir, warn });
  });
  return {
    root,
    fs,
    exec,
    clock,
    env,
    isRoot: process.getuid?.() === 0,
    systemd,
    crio,
    microshift,
    records,
    kill: options.safe ? refuseKill : sendSignal,
    close: () => closeCreated(systemd, microshift),
  };
}

async function sendSignal(pid: number, signal: NodeJS.Signals): Promise<void> {
  process.kill(pid, signal);
}

/** The kill half of the safe executor (see safeSystemd for the D-Bus half). */
export async function refuseKill(pid: number, signal: NodeJS.Signals): Promise<void> {
  throw new HostError('exec-refused', `refused to send ${signal} to process ${pid} in safe mode (--dry-run or a test)`);
}

/** systemd that refuses to stop or restart units: the D-Bus half of the safe executor. */
export function safeSystemd(inner: Systemd): Systemd {
  const refuse = (verb: string, unit: string) =>
    Promise.reject(new HostError('exec-refused', `refused to ${verb} ${unit} in safe mode (--dry-run or a test)`));
  return {
    unit: (...args) => inner.unit(...args),
    unitStates: (...args) => inner.unitStates(...args),
    watchUnit: (...args) => inner.watchUnit(...args),
    startUnit: (...args) => inner.startUnit(...args),
    reload: (...args) => inner.reload(...args),
    unitFileState: (...args) => inner.unitFileState(...args),
    isEnabled: (...args) => inner.isEnabled(...args),
    unitFileExists: (...args) => inner.unitFileExists(...args),
    version: (...args) => inner.version(...args),
    close: () => inner.close(),
    stopUnit: (name) => refuse('stop', name),
    restartUnit: (name) => refuse('restart', name),
  };
}
