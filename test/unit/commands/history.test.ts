// `edge-agent history` through a Host of fakes: the records in /var, newest first, with reasons.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../agent/commands/history/history.js';
import { runMain } from '../../fakes/command.js';
import { fakeHost, type FakeHost } from '../../fakes/host.js';

const A = 'a'.repeat(32);
const B = 'b'.repeat(32);
let host: FakeHost;
beforeEach(async () => {
  host = fakeHost({ root: await mkdtemp(join(tmpdir(), 'history-')) });
});
afterEach(async () => rm(host.root, { recursive: true, force: true }));

async function bootRecorded(bootId: string, change: Parameters<Awaited<ReturnType<FakeHost['records']>>['update']>[1]) {
  await (await host.records()).update(bootId, change);
  await host.fakeClock.advance(60_000);
}

describe('history', () => {
  it('lists boots newest first with the verdict and the first failure, as JSON and as text', async () => {
    await bootRecorded(A, (r) => {
      r.verdict = 'green';
      r.deployment = { version: '9.4.1', checksum: 'a'.repeat(64) };
    });
    await bootRecorded(B, (r) => {
      r.verdict = 'red';
      r.deployment = { version: '9.4.2', checksum: 'b'.repeat(64) };
      r.firstFailure = { id: 'dns', reason: 'exit-code', message: 'cannot resolve registry' };
    });
    const json = await runMain(main, host, { flags: { json: true } });
    expect(json.code).toBe(0);
    const { entries } = JSON.parse(json.out) as { entries: { bootId: string; verdict?: string; reason?: string }[] };
    expect(entries.map((e) => [e.bootId, e.verdict])).toEqual([
      [B, 'red'],
      [A, 'green'],
    ]);
    expect(entries[0]?.reason).toBe('dns: cannot resolve registry');

    const text = await runMain(main, host, { flags: { n: '1' } });
    expect(text.out).toContain('9.4.2');
    expect(text.out).not.toContain('9.4.1');
  });

  it('says so when nothing was recorded yet', async () => {
    expect((await runMain(main, host)).out).toBe('No boots recorded yet.\n');
  });

  it('refuses -n that is not a positive whole number, naming the flag', async () => {
    await expect(runMain(main, host, { flags: { n: '0' } })).rejects.toMatchObject({
      code: 'usage',
      message: "-n must be a positive whole number (got '0')",
    });
  });
});
