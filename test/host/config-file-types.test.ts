// Config paths that are not regular files: a FIFO, a socket, a directory or a dangling symlink
// where a YAML file belongs, and a file where the drop-in directory belongs. Each one is named
// with what it is and what was expected, and none is read (a FIFO read would never return).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../agent/config/load.js';
import { NotRegularFileError } from '../../agent/errors.js';
import { createHostFs, withSyncReads } from '../../agent/host/fs.js';

const MAIN = '/etc/edge-agent/config.yaml';
const DROP_INS = '/etc/edge-agent/config.d';
const roots: string[] = [];
const servers: Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

type Kind = 'fifo' | 'directory' | 'socket' | 'dangling symlink';

/** A root where `path` is a `kind` instead of a regular file. */
async function rootWithOdd(path: string, kind: Kind) {
  const root = mkdtempSync(join(tmpdir(), 'edge-agent-types-'));
  roots.push(root);
  const real = join(root, path);
  mkdirSync(dirname(real), { recursive: true });
  if (kind === 'fifo') execFileSync('mkfifo', [real]);
  else if (kind === 'directory') mkdirSync(real);
  else if (kind === 'dangling symlink') symlinkSync(join(root, 'gone.yaml'), real);
  else {
    const server = createServer();
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(real, resolve));
  }
  return { root, fs: createHostFs(root) };
}

const expectedWords: Record<Kind, string> = {
  fifo: 'not read: it is a FIFO (named pipe)',
  directory: 'not read: it is a directory',
  socket: 'not read: it is a socket',
  'dangling symlink': 'not read: it is a symlink to a file that does not exist',
};

describe('config paths that are not regular files', () => {
  it.each(['fifo', 'directory', 'socket', 'dangling symlink'] as const)(
    'main config.yaml as a %s: an error naming the file and what it is, no config',
    async (kind) => {
      const { fs } = await rootWithOdd(MAIN, kind);
      const result = await loadConfig(fs);
      expect(result.config).toBeUndefined();
      expect(result.errors).toEqual([
        { file: MAIN, path: '', message: expectedWords[kind], expected: 'a regular file' },
      ]);
    },
  );

  it.each(['fifo', 'directory', 'socket', 'dangling symlink'] as const)(
    'a drop-in as a %s: a warning, that drop-in skipped, the others applied',
    async (kind) => {
      const { root, fs } = await rootWithOdd(`${DROP_INS}/10-odd.yaml`, kind);
      writeFileSync(join(root, DROP_INS, '20-log.yaml'), 'log:\n  level: debug\n');
      const result = await loadConfig(fs);
      expect(result.errors).toEqual([]);
      expect(result.config?.log.level).toBe('debug');
      expect(result.sources).toEqual([`${DROP_INS}/20-log.yaml`]);
      expect(result.warnings).toEqual([
        { file: `${DROP_INS}/10-odd.yaml`, path: '', message: expectedWords[kind], expected: 'a regular file' },
        { file: `${DROP_INS}/10-odd.yaml`, path: '', message: 'drop-in skipped: none of its settings are applied' },
      ]);
    },
  );

  it('the drop-in directory as a regular file: a warning, not "no drop-ins"', async () => {
    const root = mkdtempSync(join(tmpdir(), 'edge-agent-types-'));
    roots.push(root);
    mkdirSync(join(root, '/etc/edge-agent'), { recursive: true });
    writeFileSync(join(root, DROP_INS), 'log:\n  level: debug\n');
    const result = await loadConfig(createHostFs(root));
    expect(result.config).toBeDefined();
    expect(result.warnings).toEqual([
      {
        file: DROP_INS,
        path: '',
        message: 'not a directory; no drop-ins applied',
        expected: 'a directory of *.yaml files',
      },
    ]);
  });
});

describe('the filesystem port refuses what is not a regular file', () => {
  it.each([
    ['fifo', 'a FIFO (named pipe)'],
    ['directory', 'a directory'],
    ['socket', 'a socket'],
  ] as const)('a %s, async and sync, with a typed error naming the path', async (kind, words) => {
    const { root, fs } = await rootWithOdd('/etc/x', kind);
    for (const port of [fs, withSyncReads(fs)]) {
      for (const read of [() => port.readText('/etc/x'), () => port.readBytes('/etc/x')]) {
        const error = await read().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(NotRegularFileError);
        expect((error as NotRegularFileError).message).toBe(
          `${join(root, '/etc/x')} is ${words}, expected a regular file`,
        );
      }
    }
  });

  it('still reads regular files, /proc files (size 0) and symlinks to regular files', async () => {
    const { root, fs } = await rootWithOdd('/etc/dir', 'directory');
    writeFileSync(join(root, '/etc/real'), 'hello\n');
    symlinkSync(join(root, '/etc/real'), join(root, '/etc/link'));
    for (const port of [fs, withSyncReads(fs)]) {
      expect(await port.readText('/etc/link')).toBe('hello\n');
      expect(await port.readText('/etc/none')).toBeUndefined();
    }
    for (const port of [createHostFs('/'), withSyncReads(createHostFs('/'))])
      expect(await port.readText('/proc/self/stat')).toMatch(/^\d+ \(/);
  });
});
