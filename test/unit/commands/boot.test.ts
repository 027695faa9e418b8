// `edge-agent boot green|red` through a Host of fakes: the verdict lands in this boot's record,
// with the first failing check for red, and a stale restore marker goes on green.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../agent/commands/boot/boot.js';
import { OUR_MARKER_NOTE } from '../../../agent/commands/boot/pre-rollback.js';
import { RESTORE_MARKER } from '../../../agent/core/pre-rollback.js';
import { ExitCode } from '../../../agent/exit-codes.js';
import { aBoot, putFile, runMain } from '../../fakes/command.js';
import { fakeHost, type FakeHost } from '../../fakes/host.js';

const BOOT = 'fedcba9876543210fedcba9876543210';
const AT = { startedAt: '2024-06-01T00:00:00.000Z', endedAt: '2024-06-01T00:00:01.000Z', durationMs: 1000 };
let host: FakeHost;
beforeEach(async () => {
  host = fakeHost({ root: await mkdtemp(join(tmpdir(), 'boot-')) });
  await aBoot(host, BOOT);
});
afterEach(async () => rm(host.root, { recursive: true, force: true }));

describe('boot green|red', () => {
  it('green: records the verdict and known-good, and clears the restore marker edge-agent left', async () => {
    await putFile(host, RESTORE_MARKER, '');
    await putFile(host, OUR_MARKER_NOTE, '{}');
    const run = await runMain(main, host, { positionals: ['green'] });
    expect(run.code).toBe(ExitCode.Ok);
    const record = await (await host.records()).read(BOOT);
    expect(record).toMatchObject({ verdict: 'green', knownGood: true });
    expect(run.logs.some((l) => l.startsWith('Boot is GREEN:'))).toBe(true);
    await expect(stat(join(host.root, RESTORE_MARKER))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(stat(join(host.root, OUR_MARKER_NOTE))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('red: records the verdict and the first failing required check, and names it in the log', async () => {
    await (
      await host.records()
    ).update(BOOT, (r) => {
      r.checks.required = {
        startedAt: '2024-06-01T00:00:00.000Z',
        verdict: 'fail',
        results: [
          { ...AT, id: 'api', class: 'required', outcome: 'pass', reason: 'ok', message: 'up' },
          { ...AT, id: 'dns', class: 'required', outcome: 'fail', reason: 'exit-code', message: 'no answer' },
        ],
      };
    });
    const run = await runMain(main, host, { positionals: ['red'] });
    // No grubenv here: the next boot is not known to be the rollback, so nothing is prepared.
    expect(run.code).toBe(ExitCode.Ok);
    const record = await (await host.records()).read(BOOT);
    expect(record).toMatchObject({
      verdict: 'red',
      rollbackImminent: false,
      firstFailure: { id: 'dns', reason: 'exit-code', message: 'no answer' },
    });
    expect(run.logs.find((l) => l.startsWith('Boot is RED:'))).toContain('first failing check: dns: no answer');
  });

  it('refuses anything but green or red', async () => {
    await expect(runMain(main, host, { positionals: ['blue'] })).rejects.toMatchObject({
      code: 'usage',
      message: "expected 'green' or 'red' (got 'blue')",
    });
  });
});
