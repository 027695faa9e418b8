// A whole Host made of fakes, for command tests: files under a temporary root (the real fs
// adapter and the real record store over it), a scripted exec, an in-memory systemd, a test
// clock. Like `--dry-run` on a device, it is built in safe mode: whatever would reboot, roll back
// or stop a service is refused by the adapters themselves, so a command under test cannot reach
// further than the fakes even through a bug.
import { createBootRecords } from '../../agent/host/record-store.js';
import { createCrio } from '../../agent/host/crio.js';
import { createSafeExec } from '../../agent/host/exec.js';
import { createHostFs } from '../../agent/host/fs.js';
import { refuseKill, safeSystemd, type Host } from '../../agent/host/host.js';
import { closeCreated, lazy } from '../../agent/host/lazy.js';
import type { MicroShiftApi } from '../../agent/host/microshift-api.js';
import { FakeClock } from './clock.js';
import { FakeExec } from './exec.js';
import { FakeSystemd } from './systemd.js';

export interface FakeHostOptions {
  /** A directory the test owns; every host path lives under it. */
  root: string;
  exec?: FakeExec;
  systemd?: FakeSystemd;
  clock?: FakeClock;
  microshift?: () => Promise<MicroShiftApi>;
  bootsDir?: string;
  isRoot?: boolean;
  env?: Record<string, string | undefined>;
  warn?: (message: string) => void;
}

export interface FakeHost extends Host {
  fakeExec: FakeExec;
  fakeSystemd: FakeSystemd;
  fakeClock: FakeClock;
}

export function fakeHost(options: FakeHostOptions): FakeHost {
  const fs = createHostFs(options.root);
  const fakeExec = options.exec ?? new FakeExec();
  const fakeSystemd = options.systemd ?? new FakeSystemd();
  const fakeClock = options.clock ?? new FakeClock();
  const exec = createSafeExec(fakeExec);
  const systemd = lazy(async () => safeSystemd(fakeSystemd));
  const microshift = lazy(
    options.microshift ?? (() => Promise.reject(new Error('this test gave the host no MicroShift API'))),
  );
  const records = lazy(async () =>
    createBootRecords({
      fs,
      clock: fakeClock,
      dir: options.bootsDir ?? '/var/lib/edge-agent/boots',
      warn: options.warn ?? (() => undefined),
    }),
  );
  return {
    root: options.root,
    fs,
    exec,
    clock: fakeClock,
    env: options.env ?? {},
    isRoot: options.isRoot ?? true,
    systemd,
    crio: lazy(async () => createCrio({ exec, fs })),
    microshift,
    records,
    kill: refuseKill,
    // The fakes outlive a run, as systemd outlives a process: a test may run several commands.
    close: () => closeCreated(microshift),
    fakeExec,
    fakeSystemd,
    fakeClock,
  };
}
