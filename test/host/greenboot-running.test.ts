// The processes of greenboot-healthcheck.service read from a cgroup and /proc laid out under a
// temporary root: the running script named with its age, every read bounded (a 10 MB argument,
// a huge cgroup.procs), processes gone meanwhile and garbage lines skipped, never a crash.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHostFs } from '../../agent/host/fs.js';
import {
  parseStartSec,
  readBounded,
  readGreenbootRunning,
  readUnitProcesses,
} from '../../agent/host/greenboot-running.js';

const PROCS = '/sys/fs/cgroup/system.slice/greenboot-healthcheck.service/cgroup.procs';
let root: string;
const put = async (path: string, content: string | Buffer) => {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), content);
};
// /proc/<pid>/stat: starttime (field 22) in USER_HZ ticks; the command name may hold spaces and ')'.
const stat = (pid: number, comm: string, ticks: number) =>
  `${pid} (${comm}) S 1 ${pid} ${pid} 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 ${ticks} 1000 100 18446744073709551615\n`;
const proc = async (pid: number, argv: string[], ticks: number) => {
  await put(`/proc/${pid}/cmdline`, `${argv.join('\0')}\0`);
  await put(`/proc/${pid}/stat`, stat(pid, argv[0]?.split('/').pop() ?? '', ticks));
};

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'gb-running-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('greenboot-running (host)', () => {
  it('names the required script bash greenboot runs, and for how long', async () => {
    await put(PROCS, '301\n410\n411\n');
    await proc(301, ['/bin/bash', '/usr/libexec/greenboot/greenboot', 'check'], 2000);
    await proc(410, ['bash', '/etc/greenboot/check/required.d/50_vendor_check.sh'], 10_000);
    await proc(411, ['sleep', 'infinity'], 10_001);
    await put('/proc/uptime', '352.40 700.00\n');
    expect(await readGreenbootRunning(createHostFs(root))).toMatchObject({
      name: '50_vendor_check.sh',
      kind: 'required',
      pid: 410,
      runningSec: 252,
    });
  });

  it('finds the cgroup of a hybrid host too, and nothing when the unit has no cgroup', async () => {
    const fs = createHostFs(root);
    expect(await readGreenbootRunning(fs)).toBeUndefined();
    await put('/sys/fs/cgroup/unified/system.slice/greenboot-healthcheck.service/cgroup.procs', '7\n');
    await proc(7, ['bash', '-C', '/usr/lib/greenboot/check/wanted.d/01_update_platforms_check.sh'], 500);
    await put('/proc/uptime', '20.5 1.0\n');
    expect(await readGreenbootRunning(fs)).toMatchObject({ kind: 'wanted', runningSec: 15 });
  });

  it('skips garbage pids, processes gone meanwhile and kernel threads; bounds a 10 MB argument', async () => {
    await put(PROCS, `abc\n-1\n99999999999\n\n555\n12\n13\n${'9'.repeat(100_000)}\n`);
    // 555 is gone; 12 has no arguments (a kernel thread); 13 has a 10 MB argument.
    await put('/proc/12/cmdline', '');
    await put('/proc/13/cmdline', Buffer.from(`bash\0/etc/greenboot/check/required.d/${'x'.repeat(10 * 1024 * 1024)}`));
    await put('/proc/13/stat', 'garbage');
    const processes = await readUnitProcesses(createHostFs(root));
    expect(processes?.map((p) => p.pid)).toEqual([13]);
    expect(processes?.[0]?.argv.join('').length).toBeLessThanOrEqual(8 * 1024);
    expect(processes?.[0]?.startedSec).toBeUndefined();
    // No uptime file: the script is still named, without a time.
    const r = await readGreenbootRunning(createHostFs(root));
    expect(r?.runningSec).toBeUndefined();
    expect(r?.name.length).toBeLessThanOrEqual(120);
  });

  it('reads starttime after a command name holding spaces and parentheses', () => {
    expect(parseStartSec(stat(5, 'a) (b c', 12_345))).toBe(123.45);
    expect(parseStartSec('5 (bash) S')).toBeUndefined();
    expect(parseStartSec(undefined)).toBeUndefined();
  });

  it('reads at most the bound from a file, and nothing from one that is not there', async () => {
    await put('/big', Buffer.alloc(1024 * 1024, 'a'));
    expect((await readBounded(createHostFs(root), '/big', 1000))?.length).toBe(1000);
    expect(await readBounded(createHostFs(root), '/missing', 1000)).toBeUndefined();
  });
});
