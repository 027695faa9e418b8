// `edge-agent wait --green` through a Host of fakes: this boot's record decides first, then
// greenboot's units as systemd reports them, decided by the one boot verdict (core/verdict/).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../agent/commands/wait/wait.js';
import { ExitCode } from '../../../agent/exit-codes.js';
import { aBoot, runMain } from '../../fakes/command.js';
import { fakeHost, type FakeHost } from '../../fakes/host.js';
import { aUnit, FakeSystemd } from '../../fakes/systemd.js';

const BOOT = '0123456789abcdef0123456789abcdef';
let host: FakeHost;
beforeEach(async () => {
  const systemd = new FakeSystemd([
    aUnit('greenboot-healthcheck.service', { activeState: 'activating' }),
    aUnit('boot-complete.target', { activeState: 'inactive' }),
  ]);
  host = fakeHost({ root: await mkdtemp(join(tmpdir(), 'wait-')), systemd });
  await aBoot(host, BOOT);
});
afterEach(async () => rm(host.root, { recursive: true, force: true }));

describe('wait --green', () => {
  it("exits 0 at once when this boot's record says green", async () => {
    await (await host.records()).update(BOOT, (r) => void (r.verdict = 'green'));
    const run = await runMain(main, host, { flags: { green: true, json: true } });
    expect(run.code).toBe(ExitCode.Ok);
    expect(JSON.parse(run.out)).toMatchObject({ bootId: BOOT, verdict: 'green', state: 'green', code: 'record-green' });
  });

  it('exits 1 when greenboot-healthcheck.service failed', async () => {
    host.fakeSystemd.setUnit('greenboot-healthcheck.service', { activeState: 'failed' });
    const run = await runMain(main, host, { flags: { green: true, timeout: '0' } });
    expect(run.code).toBe(ExitCode.Failed);
    expect(run.out).toMatch(/^Boot is RED \(greenboot-healthcheck\.service failed\)/);
  });

  it('with --timeout 0 and the checks still running: looks once and exits 2', async () => {
    const run = await runMain(main, host, { flags: { green: true, timeout: '0' } });
    expect(run.code).toBe(ExitCode.Pending);
    expect(run.out).toContain(
      'No verdict yet after 0.0 s (--timeout 0): greenboot-healthcheck.service is running the checks',
    );
  });

  it('is released when boot-complete.target is reached while it waits', async () => {
    host.fakeClock.setAutoAdvance(true);
    const waiting = runMain(main, host, { flags: { green: true, timeout: '600' } });
    void host.fakeSystemd.play(
      'boot-complete.target',
      [{ afterMs: 5000, patch: { activeState: 'active' } }],
      host.fakeClock,
    );
    const run = await waiting;
    expect(run.code).toBe(ExitCode.Ok);
    expect(run.out).toMatch(/^Boot is GREEN \(boot-complete\.target reached: greenboot declared the boot good\)/);
  });

  it('refuses a run without --green and a timeout that is not a number', async () => {
    await expect(runMain(main, host)).rejects.toMatchObject({ code: 'usage' });
    await expect(runMain(main, host, { flags: { green: true, timeout: 'soon' } })).rejects.toMatchObject({
      code: 'usage',
      message: "--timeout must be a number of seconds, 0 to check once (got 'soon')",
    });
  });
});
