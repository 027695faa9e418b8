// `edge-agent check` through a Host of fakes: declared command checks run on the fake exec; a
// verdict run writes this boot's record, a dry run writes nothing and runs in safe mode.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../agent/commands/check/check.js';
import { ExitCode } from '../../../agent/exit-codes.js';
import { aBoot, runMain } from '../../fakes/command.js';
import { fakeHost, type FakeHost } from '../../fakes/host.js';

const BOOT = '00112233445566778899aabbccddeeff';
const config = (command: string[]) => ({
  microshift: { check: 'off' },
  checks: [{ id: 'app', kind: 'command', command, class: 'required', timeoutSec: 30 }],
});
let host: FakeHost;
beforeEach(async () => {
  host = fakeHost({ root: await mkdtemp(join(tmpdir(), 'check-')) });
  await aBoot(host, BOOT);
});
afterEach(async () => rm(host.root, { recursive: true, force: true }));

describe('check', () => {
  it('--class required: a passing declared check exits 0 and lands in the record', async () => {
    host.fakeExec.on('/usr/bin/app-ready', { exitCode: 0, stdout: 'ready\n' });
    const run = await runMain(main, host, { flags: { class: 'required' }, config: config(['/usr/bin/app-ready']) });
    expect(run.code).toBe(ExitCode.Ok);
    const record = await (await host.records()).read(BOOT);
    expect(record?.checks.required?.verdict).toBe('pass');
    expect(record?.checks.required?.results.find((r) => r.id === 'app')).toMatchObject({ outcome: 'pass' });
  });

  it('a failing required check exits 1 and the record says fail', async () => {
    host.fakeExec.on('/usr/bin/app-ready', { exitCode: 3, stderr: 'db down\n' });
    const run = await runMain(main, host, { flags: { class: 'required' }, config: config(['/usr/bin/app-ready']) });
    expect(run.code).toBe(ExitCode.Failed);
    const record = await (await host.records()).read(BOOT);
    expect(record?.checks.required?.verdict).toBe('fail');
    expect(record?.checks.required?.results.find((r) => r.id === 'app')).toMatchObject({
      outcome: 'fail',
      message: 'command /usr/bin/app-ready exited 3: db down',
    });
    expect(run.logs).toContain('Required checks FAILED: the boot is not healthy');
  });

  it('--dry-run --json reports the run and writes no record', async () => {
    host.fakeExec.on('/usr/bin/app-ready', { exitCode: 0 });
    const run = await runMain(main, host, {
      flags: { 'dry-run': true, json: true },
      config: config(['/usr/bin/app-ready']),
    });
    expect(run.code).toBe(ExitCode.Ok);
    expect(JSON.parse(run.out)).toMatchObject({ bootId: BOOT, dryRun: true, verdict: 'pass' });
    await expect(readdir(join(host.root, 'var/lib/edge-agent/boots'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a declared check that would reboot is refused by the safe executor and fails, naming the command', async () => {
    const run = await runMain(main, host, {
      flags: { 'dry-run': true, json: true },
      config: config(['/usr/sbin/reboot']),
    });
    expect(run.code).toBe(ExitCode.Failed);
    const { results } = JSON.parse(run.out) as { results: { id: string; outcome: string; message: string }[] };
    const result = results.find((r) => r.id === 'app');
    expect(result?.outcome).toBe('fail');
    expect(result?.message).toContain("refused to run 'reboot'");
    expect(host.fakeExec.ran).not.toContain('/usr/sbin/reboot');
  });

  it('refuses --timeout without --dry-run and a class it does not know', async () => {
    await expect(runMain(main, host, { flags: { timeout: '5' } })).rejects.toMatchObject({ code: 'usage' });
    await expect(runMain(main, host, { flags: { class: 'optional' } })).rejects.toMatchObject({
      code: 'usage',
      message: "--class must be 'required' or 'wanted' (got 'optional')",
    });
  });
});
