// `edge-agent journal status` and `journal persist` through a Host of fakes: what journald is set
// to and where its files are, the drop-in persist writes, and what it refuses.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { persist, status } from '../../../agent/commands/journal/journal.js';
import { putFile, runMain } from '../../fakes/command.js';
import { fakeHost, type FakeHost } from '../../fakes/host.js';

const MACHINE = 'c'.repeat(32);
const DROP_IN = '/etc/systemd/journald.conf.d/50-edge-agent.conf';
let host: FakeHost;
beforeEach(async () => {
  host = fakeHost({ root: await mkdtemp(join(tmpdir(), 'journal-')) });
  await putFile(host, '/etc/machine-id', `${MACHINE}\n`);
  host.fakeExec.on('journalctl --list-boots -o json --no-pager -q', {
    stdout: JSON.stringify([{ index: -1 }, { index: 0 }]),
  });
});
afterEach(async () => rm(host.root, { recursive: true, force: true }));

describe('journal status', () => {
  it('a journal in memory only: says it is lost at reboot, that no drop-in is there, and the boots', async () => {
    await putFile(host, `/run/log/journal/${MACHINE}/system.journal`, 'x'.repeat(4096));
    const text = await runMain(status, host);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^Journal: +in memory only \(\/run\/log\/journal\/c+\): lost at reboot/m);
    expect(text.out).toContain("Storage=auto (journald's default");
    expect(text.out).toContain('not present (edge-agent journal persist writes it)');
    expect(text.out).toContain('2 in the journal (journalctl -b -1 works)');

    const json = JSON.parse((await runMain(status, host, { flags: { json: true } })).out) as Record<string, unknown>;
    expect(json).toMatchObject({ schema: 1, location: 'memory', boots: 2, earlierBoots: true });
  });

  it('names the file that sets Storage= and what it means', async () => {
    await putFile(host, '/etc/systemd/journald.conf', '[Journal]\nStorage=volatile\n');
    const text = await runMain(status, host);
    expect(text.out).toMatch(
      /Storage=volatile \(set in \/etc\/systemd\/journald\.conf:2; keeps the journal in memory only\)/,
    );
  });
});

describe('journal persist', () => {
  it('refuses to run without root, saying what it would change', async () => {
    const user = fakeHost({ root: host.root, isRoot: false });
    await expect(runMain(persist, user)).rejects.toMatchObject({ code: 'needs-root' });
    await expect(readFile(join(host.root, DROP_IN))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a size that journald would not take, naming the flag', async () => {
    await expect(runMain(persist, host, { flags: { 'system-max-use': '12 apples' } })).rejects.toMatchObject({
      code: 'usage',
      message: expect.stringMatching(/^--system-max-use must be a journald size: .*\(got '12 apples'\)$/),
    });
  });

  it('never overwrites Storage= set by someone else: reports the conflict and exits 1', async () => {
    await putFile(host, '/etc/systemd/journald.conf.d/10-site.conf', '[Journal]\nStorage=volatile\n');
    const run = await runMain(persist, host);
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/^Journal NOT persistent: journald is not made persistent: .*10-site\.conf/);
    await expect(readFile(join(host.root, DROP_IN))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('writes its drop-in with the sizes asked for, and restarting journald goes through the safe host', async () => {
    // The fake host is in safe mode: a restart of systemd-journald is refused by the adapter
    // itself, after the drop-in (the change persist exists for) was written.
    const error = await runMain(persist, host, { flags: { 'system-max-use': '2G' } }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    const dropIn = await readFile(join(host.root, DROP_IN), 'utf8');
    expect(dropIn).toMatch(/^Storage=persistent$/m);
    expect(dropIn).toMatch(/^SystemMaxUse=2G$/m);
    expect(error?.message ?? '').toMatch(/systemd-journald/);
  });
});
