// The daemon's status socket on a temp path: the one-line request and one-object answer, shared
// answers for the same view, declines, requests that are not ours, answers that are not ours, a
// silent server; the view check; the sync-read file port status uses.
import { chmod, mkdtemp, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseStatusView, type StatusView } from '../../../agent/core/status/view.js';
import { createHostFs, withSyncReads } from '../../../agent/host/fs.js';
import {
  askDaemonStatus,
  serveStatus,
  type StatusAnswer,
  type StatusServer,
} from '../../../agent/host/status-socket.js';

const text: StatusView = { format: 'text', width: 80, color: false };
let dir: string;
let path: string;
let server: StatusServer | undefined;
const others: Server[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edge-status-socket-'));
  path = join(dir, 'private', 'status.sock');
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  for (const s of others.splice(0)) await new Promise((resolve) => s.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

/** Send raw bytes, collect what comes back until the server closes. */
function raw(request: string): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = createConnection(path, () => socket.write(request));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => resolve(Buffer.concat(chunks).toString()));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString()));
  });
}

describe('status socket', () => {
  it('answers a view with the exit code and the output, in a directory only root may enter', async () => {
    const views: StatusView[] = [];
    server = await serveStatus(
      path,
      async (view) => (views.push(view), { exitCode: 2, output: `checking at ${view.width} columns\n` }),
      () => undefined,
    );
    expect((await stat(join(dir, 'private'))).mode & 0o777).toBe(0o700);
    expect(await askDaemonStatus(path, { ...text, width: 72 }, { timeoutMs: 10_000 })).toEqual({
      exitCode: 2,
      output: 'checking at 72 columns\n',
    });
    expect(views).toEqual([{ format: 'text', width: 72, color: false }]);
  });

  it('tightens an existing directory and replaces a stale socket file', async () => {
    await mkdir(join(dir, 'private'), { mode: 0o755 });
    await chmod(join(dir, 'private'), 0o755);
    await writeFile(path, 'left over');
    server = await serveStatus(
      path,
      async () => ({ exitCode: 0, output: 'ok\n' }),
      () => undefined,
    );
    expect((await stat(join(dir, 'private'))).mode & 0o777).toBe(0o700);
    expect((await askDaemonStatus(path, text, { timeoutMs: 10_000 }))?.output).toBe('ok\n');
  });

  it('gathers once for requests of the same view made while one is answered', async () => {
    let gathered = 0;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    server = await serveStatus(
      path,
      async (view) => {
        gathered++;
        await gate;
        return { exitCode: 0, output: view.format };
      },
      () => undefined,
    );
    const answers = [
      askDaemonStatus(path, text, { timeoutMs: 10_000 }),
      askDaemonStatus(path, text, { timeoutMs: 10_000 }),
      askDaemonStatus(path, { ...text, format: 'json' }, { timeoutMs: 10_000 }),
    ];
    await new Promise((resolve) => setTimeout(resolve, 100));
    release();
    expect((await Promise.all(answers)).map((a) => a?.output)).toEqual(['text', 'text', 'json']);
    expect(gathered).toBe(2);
  });

  it('gives no answer when the daemon declines or fails, and says why in its log for a failure', async () => {
    const warnings: string[] = [];
    let mode: 'decline' | 'fail' = 'decline';
    server = await serveStatus(
      path,
      async () => {
        if (mode === 'fail') throw new Error('records unreadable');
        return undefined;
      },
      (m) => warnings.push(m),
    );
    expect(await askDaemonStatus(path, text, { timeoutMs: 2000 })).toBeUndefined();
    mode = 'fail';
    expect(await askDaemonStatus(path, text, { timeoutMs: 2000 })).toBeUndefined();
    expect(warnings).toEqual(['status socket: records unreadable']);
  });

  it('closes on requests that are not a view, and on a request line that never ends', async () => {
    let asked = 0;
    server = await serveStatus(
      path,
      async () => (asked++, { exitCode: 0, output: 'x' }),
      () => undefined,
    );
    expect(await raw('hello\n')).toBe('');
    expect(await raw(`${JSON.stringify({ format: 'yaml', width: 80, color: false })}\n`)).toBe('');
    expect(await raw('x'.repeat(5000))).toBe('');
    expect(asked).toBe(0);
    expect(JSON.parse(await raw(`${JSON.stringify(text)}\n`))).toEqual({ schema: 1, exitCode: 0, output: 'x' });
  });

  it('takes nothing that is not an answer of this schema, and does not wait for a silent server', async () => {
    const fake = (reply: string | undefined) => {
      const s = createServer((socket) =>
        socket.once('data', () => (reply === undefined ? undefined : socket.end(reply))),
      );
      others.push(s);
      return new Promise<void>((resolve) => s.listen(path, resolve));
    };
    await mkdir(join(dir, 'private'));
    const answers: (StatusAnswer | undefined)[] = [];
    for (const reply of [
      'not json',
      JSON.stringify({ schema: 2, exitCode: 0, output: 'x' }),
      JSON.stringify({ schema: 1, exitCode: '0', output: 'x' }),
    ]) {
      await fake(reply);
      answers.push(await askDaemonStatus(path, text, { timeoutMs: 10_000 }));
      await new Promise((resolve) => others.pop()?.close(resolve));
    }
    expect(answers).toEqual([undefined, undefined, undefined]);
    await fake(undefined);
    const started = Date.now();
    expect(await askDaemonStatus(path, text, { timeoutMs: 300 })).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(1500);
    // No daemon at all: at once.
    expect(await askDaemonStatus(join(dir, 'none.sock'), text, { timeoutMs: 2000 })).toBeUndefined();
  });
});

describe('status view', () => {
  it('accepts the three formats at 40 to 80 columns and nothing else', () => {
    expect(parseStatusView({ format: 'json-line', width: 40, color: true })).toEqual({
      format: 'json-line',
      width: 40,
      color: true,
    });
    expect(parseStatusView({ format: 'text', width: 80, color: false, extra: 1 })).toEqual(text);
    for (const bad of [
      null,
      'text',
      [],
      { format: 'html', width: 80, color: false },
      { format: 'text', width: 81, color: false },
      { format: 'text', width: 39.5, color: false },
      { format: 'text', width: 80, color: 'no' },
    ]) {
      expect(parseStatusView(bad), JSON.stringify(bad)).toBeUndefined();
    }
  });
});

describe('sync reads', () => {
  it('read, list, stat and test files under the root like the async port, writes unchanged', async () => {
    const root = join(dir, 'root');
    const fs = withSyncReads(createHostFs(root));
    await fs.writeAtomic('/etc/a.conf', 'x=1\n');
    await fs.writeAtomic('/etc/b.conf', 'y=2\n', 0o600);
    expect(await fs.readText('/etc/a.conf')).toBe('x=1\n');
    expect((await fs.readBytes('/etc/a.conf'))?.toString()).toBe('x=1\n');
    expect(await fs.list('/etc')).toEqual(['a.conf', 'b.conf']);
    expect(await fs.info('/etc/b.conf')).toMatchObject({ mode: 0o600, size: 4, isFile: true, isDirectory: false });
    expect(await fs.exists('/etc/a.conf')).toBe(true);
    expect([
      await fs.readText('/etc/none'),
      await fs.readBytes('/etc/a.conf/x'),
      await fs.list('/none'),
      await fs.info('/none'),
      await fs.exists('/none'),
    ]).toEqual([undefined, undefined, [], undefined, false]);
    // Anything but "not there" is an error the caller sees, as with the async port.
    await expect(fs.readText('/etc')).rejects.toMatchObject({ code: 'not-a-regular-file', kind: 'a directory' });
  });
});
