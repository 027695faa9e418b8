// Something other than a regular file where the agent keeps its state (a directory where a boot
// record, an outbox segment or acks.log belongs; a file where the outbox directory belongs): each
// is refused with an agent error naming the path and what is there, never an internal error
// (exit 70) naming only an errno.
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentError, describeError } from '../../agent/errors.js';
import { ExitCode } from '../../agent/exit-codes.js';
import { systemClock } from '../../agent/host/clock.js';
import { createHostFs } from '../../agent/host/fs.js';
import { readStatusRecords } from '../../agent/commands/status/records.js';
import { createBootRecords } from '../../agent/host/record-store.js';
import { openOutbox } from '../../agent/hub/outbox.js';

const BOOTS = '/var/lib/edge-agent/boots';
const OUTBOX = '/var/lib/edge-agent/outbox';
const ID = 'ab'.repeat(16);
const limits = { maxBytes: 1 << 20, maxEvents: 1000 };
const roots: string[] = [];
afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

async function newRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'edge-state-types-'));
  roots.push(root);
  await mkdir(join(root, '/var/lib/edge-agent'), { recursive: true });
  return root;
}

async function failure(run: () => Promise<unknown>): Promise<{ exitCode: ExitCode; line: string }> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected a refusal').toBeInstanceOf(AgentError);
  const described = describeError(error);
  expect(described.exitCode).not.toBe(ExitCode.Internal);
  return described;
}

const open = (root: string) => openOutbox(OUTBOX, limits, { fs: createHostFs(root), clock: systemClock });

describe('a boot record that is a directory', () => {
  it('is named as a directory by read, update and list, and left where it is', async () => {
    const root = await newRoot();
    await mkdir(join(root, BOOTS, `${ID}.json`), { recursive: true });
    const records = createBootRecords({ fs: createHostFs(root), clock: systemClock, dir: BOOTS, warn: () => {} });
    const expected = `${join(root, BOOTS, `${ID}.json`)} is a directory, expected a regular file`;
    expect((await failure(() => records.read(ID))).line).toContain(expected);
    expect((await failure(() => records.update(ID, (r) => void (r.verdict = 'green')))).line).toContain(expected);
    expect((await failure(() => records.list())).line).toContain(expected);
    expect(await readdir(join(root, BOOTS))).toContain(`${ID}.json`);
  });

  it('a file where the boots directory belongs is refused naming that path', async () => {
    const root = await newRoot();
    await writeFile(join(root, BOOTS), 'not a directory');
    const records = createBootRecords({ fs: createHostFs(root), clock: systemClock, dir: BOOTS, warn: () => {} });
    const { line, exitCode } = await failure(() => records.update(ID, (r) => void (r.verdict = 'green')));
    expect(exitCode).toBe(ExitCode.IoError);
    expect(line).toContain(join(root, BOOTS));
    // Listing says so too, instead of "no boots recorded yet" (history), and so does status.
    expect((await failure(() => records.list())).line).toContain(`${BOOTS} is not a directory`);
    const status = await readStatusRecords(createHostFs(root), BOOTS, ID);
    expect(status.history).toEqual({
      state: 'error',
      note: `boot records in ${BOOTS}: ${BOOTS} is not a directory: the boot records cannot be read`,
    });
  });
});

describe('the outbox with something else where its files belong', () => {
  it('a directory where a segment belongs: named, with what it is', async () => {
    const root = await newRoot();
    await mkdir(join(root, OUTBOX, 'seg-0000000000000001.log'), { recursive: true });
    const { line } = await failure(() => open(root));
    expect(line).toContain(`${join(root, OUTBOX, 'seg-0000000000000001.log')} is a directory, expected a regular file`);
  });

  it('a directory where acks.log belongs: named, not taken for "nothing acked"', async () => {
    const root = await newRoot();
    await mkdir(join(root, OUTBOX, 'acks.log'), { recursive: true });
    const { line } = await failure(() => open(root));
    expect(line).toContain(`${join(root, OUTBOX, 'acks.log')} is a directory, expected a regular file`);
  });

  it('a file where the outbox directory belongs: a write error naming it (exit 74)', async () => {
    const root = await newRoot();
    await writeFile(join(root, OUTBOX), 'not a directory');
    const { line, exitCode } = await failure(() => open(root));
    expect(exitCode).toBe(ExitCode.IoError);
    expect(line).toContain(join(root, OUTBOX));
  });

  it('a FIFO where a segment belongs is not read (no hang)', async () => {
    const root = await newRoot();
    await mkdir(join(root, OUTBOX), { recursive: true });
    const { execFileSync } = await import('node:child_process');
    execFileSync('mkfifo', [join(root, OUTBOX, 'seg-0000000000000001.log')]);
    const { line } = await failure(() => open(root));
    expect(line).toContain('is a FIFO (named pipe), expected a regular file');
  });
});
