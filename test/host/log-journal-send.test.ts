// The structured-entry sender with stand-in `logger` programs (shell scripts) that record what
// they were given, fail, or hang: the payload format, the order of lines and entries, the plain
// fallback and flush. The real journald is proven in test/integration/logging.test.ts.
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createJournalSender, renderJournalEntry } from '../../agent/host/log-journal-send.js';
import { createLogger } from '../../agent/host/log.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edge-journal-send-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A `logger` stand-in: appends its arguments and stdin to a file, then runs `tail`. */
async function fakeLogger(tail = 'exit 0'): Promise<{ command: string; seen: () => Promise<string> }> {
  const out = join(dir, 'seen.txt');
  const command = join(dir, 'logger');
  await writeFile(command, `#!/bin/sh\necho "ARGS $*" >> '${out}'\ncat >> '${out}'\necho --- >> '${out}'\n${tail}\n`);
  await chmod(command, 0o755);
  return { command, seen: () => readFile(out, 'utf8').catch(() => '') };
}

/** A `journalctl --sync` stand-in: appends a marker to the same file as the fake logger, then runs `tail`. */
async function fakeSync(tail = 'exit 0'): Promise<[string]> {
  const command = join(dir, 'sync');
  await writeFile(command, `#!/bin/sh\necho SYNC >> '${join(dir, 'seen.txt')}'\n${tail}\n`);
  await chmod(command, 0o755);
  return [command];
}

const flushed = (sender: { flush(cb: () => void): void }) => new Promise<void>((resolve) => sender.flush(resolve));

describe('renderJournalEntry', () => {
  it('writes one FIELD=value line per field, flattening newlines and skipping invalid names', () => {
    const text = renderJournalEntry(3, 'two\nlines', {
      EDGE_AGENT_OUTCOME: 'fail',
      'bad name': 'x',
      _TRUSTED: 'x',
      EDGE_AGENT_NOTE: 'a\r\nb',
    });
    expect(text).toBe('MESSAGE=two lines\nPRIORITY=3\nEDGE_AGENT_OUTCOME=fail\nEDGE_AGENT_NOTE=a b\n');
  });
});

describe('createJournalSender', () => {
  it('sends each structured record to one logger --journald and keeps later plain lines behind it', async () => {
    const fake = await fakeLogger('sleep 0.2');
    const lines: string[] = [];
    const sender = createJournalSender({
      command: fake.command,
      syncCommand: await fakeSync(),
      writeLine: (l) => lines.push(l),
    });
    sender.plain(6, 'before');
    sender.structured(4, 'entry one', { EDGE_AGENT_CHECK: 'x' });
    sender.plain(6, 'after');
    // The plain line after the entry waits until logger has finished.
    expect(lines).toEqual(['<6>before\n']);
    await flushed(sender);
    expect(lines).toEqual(['<6>before\n', '<6>after\n']);
    // journald stored the entry (the sync) before the line went to the stream.
    expect(await fake.seen()).toBe('ARGS --journald\nMESSAGE=entry one\nPRIORITY=4\nEDGE_AGENT_CHECK=x\n---\nSYNC\n');
  });

  it('syncs only where an entry is followed by a plain line, and stops syncing once the sync fails', async () => {
    const fake = await fakeLogger();
    const lines: string[] = [];
    const write = (l: string) => lines.push(l);
    const sender = createJournalSender({ command: fake.command, syncCommand: await fakeSync(), writeLine: write });
    sender.plain(6, 'a');
    sender.structured(6, 'b', { EDGE_AGENT_N: '1' });
    sender.structured(6, 'c', { EDGE_AGENT_N: '2' });
    sender.plain(6, 'd');
    sender.plain(6, 'e');
    await flushed(sender);
    // A later entry and line: the entry is sent, then one sync before the line.
    sender.structured(6, 'f', { EDGE_AGENT_N: '3' });
    sender.plain(6, 'g');
    await flushed(sender);
    expect(lines).toEqual(['<6>a\n', '<6>d\n', '<6>e\n', '<6>g\n']);
    const order = (await fake.seen()).split('\n').filter((l) => l.startsWith('MESSAGE=') || l === 'SYNC');
    expect(order).toEqual(['MESSAGE=b', 'MESSAGE=c', 'SYNC', 'MESSAGE=f', 'SYNC']);

    await rm(join(dir, 'seen.txt'));
    const refusing = createJournalSender({
      command: fake.command,
      syncCommand: await fakeSync('exit 1'),
      writeLine: write,
    });
    for (const n of ['1', '2']) {
      refusing.structured(6, `entry ${n}`, { EDGE_AGENT_N: n });
      refusing.plain(6, `line ${n}`);
    }
    await flushed(refusing);
    expect(lines.slice(-2)).toEqual(['<6>line 1\n', '<6>line 2\n']);
    const tried = (await fake.seen()).split('\n').filter((l) => l === 'SYNC');
    expect(tried).toHaveLength(1);
  });

  it('lets lines go after a sync that runs out of time, and syncs again for the next entry', async () => {
    const fake = await fakeLogger();
    const lines: string[] = [];
    const sender = createJournalSender({
      command: fake.command,
      syncCommand: await fakeSync('exec sleep 30'),
      writeLine: (l) => lines.push(l),
      timeoutMs: 300,
    });
    for (const n of ['1', '2']) {
      sender.structured(6, `entry ${n}`, { EDGE_AGENT_N: n });
      sender.plain(6, `line ${n}`);
    }
    await flushed(sender);
    expect(lines).toEqual(['<6>line 1\n', '<6>line 2\n']);
    const order = (await fake.seen()).split('\n').filter((l) => l.startsWith('MESSAGE=') || l === 'SYNC');
    expect(order).toEqual(['MESSAGE=entry 1', 'SYNC', 'MESSAGE=entry 2', 'SYNC']);
  });

  it('writes the record as a plain line when logger fails or hangs', async () => {
    const failing = await fakeLogger('exit 1');
    const lines: string[] = [];
    const sender = createJournalSender({ command: failing.command, writeLine: (l) => lines.push(l) });
    sender.structured(3, 'refused', { EDGE_AGENT_A: '1' });
    await flushed(sender);
    expect(lines).toEqual(['<3>refused\n']);
    expect(sender.available).toBe(true);

    const hanging = await fakeLogger('exec sleep 30');
    const slow = createJournalSender({ command: hanging.command, writeLine: (l) => lines.push(l), timeoutMs: 300 });
    const started = Date.now();
    slow.structured(4, 'stuck', { EDGE_AGENT_A: '1' });
    await flushed(slow);
    expect(lines.at(-1)).toBe('<4>stuck\n');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('stops trying once logger is missing, and loses no record', async () => {
    const lines: string[] = [];
    const sender = createJournalSender({ command: join(dir, 'no-such-logger'), writeLine: (l) => lines.push(l) });
    sender.structured(6, 'one', { EDGE_AGENT_A: '1' });
    sender.structured(6, 'two', { EDGE_AGENT_A: '2' });
    sender.plain(6, 'three');
    await flushed(sender);
    expect(lines).toEqual(['<6>one\n', '<6>two\n', '<6>three\n']);
    expect(sender.available).toBe(false);
  });

  it('is what the journal-format logger uses for records with fields; flush waits for it', async () => {
    const fake = await fakeLogger();
    const lines: string[] = [];
    const log = createLogger({
      format: 'journal',
      identifier: 'probe-id',
      journalCommand: fake.command,
      journalSyncCommand: await fakeSync(),
      write: (l) => lines.push(l),
    });
    log.child({ check: 'disk' }).warn({ outcome: 'fail', freeBytes: 12 }, 'disk nearly full');
    log.info('plain');
    await new Promise<void>((resolve) => log.flush(() => resolve()));
    expect(lines).toEqual(['<6>plain\n']);
    const seen = await fake.seen();
    expect(seen).toContain('MESSAGE=disk nearly full\nPRIORITY=4\nSYSLOG_IDENTIFIER=probe-id\n');
    expect(seen).toContain(`SYSLOG_PID=${process.pid}\n`);
    expect(seen).toContain('EDGE_AGENT_CHECK=disk\n');
    expect(seen).toContain('EDGE_AGENT_OUTCOME=fail\nEDGE_AGENT_FREE_BYTES=12\n');
  });
});
