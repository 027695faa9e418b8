// A real PostgreSQL server for the hub store tests: the Debian `postgresql` package's binaries,
// a fresh cluster made with initdb in a temp dir, listening on a free loopback port only. The
// server refuses to run as root, so as root it runs as the `postgres` system user.
import { execa } from 'execa';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export interface TestPostgres {
  url: string;
  stop(): Promise<void>;
}

export function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => join(root, v, 'bin')).find((bin) => existsSync(join(bin, 'initdb')));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export async function startPostgres(): Promise<TestPostgres> {
  const bin = postgresBin();
  if (!bin)
    throw new Error(
      'PostgreSQL is not installed (Debian package postgresql; scripts/setup.mjs --for test installs it)',
    );
  const dir = await mkdtemp(join(tmpdir(), 'edge-hub-pg-'));
  const data = join(dir, 'data');
  const asRoot = userInfo().uid === 0;
  const run = async (tool: string, args: string[]) => {
    const command = asRoot ? 'runuser' : join(bin, tool);
    const argv = asRoot ? ['-u', 'postgres', '--', join(bin, tool), ...args] : args;
    const result = await execa(command, argv, { reject: false, cwd: dir });
    if (result.exitCode !== 0)
      throw new Error(`${tool} failed (${result.exitCode}): ${result.stderr || result.stdout}`);
  };
  if (asRoot) {
    const { stdout } = await execa('id', ['-u', 'postgres']);
    const { stdout: gid } = await execa('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout), Number(gid));
  }
  const port = await freePort();
  try {
    await run('initdb', ['-D', data, '-A', 'trust', '-U', 'edge', '--no-sync', '-E', 'UTF8']);
    // fsync off: a test cluster needs no durability across a power cut, and it is much faster.
    await run('pg_ctl', [
      '-D',
      data,
      '-w',
      '-t',
      '30',
      '-l',
      join(dir, 'server.log'),
      '-o',
      `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off`,
      'start',
    ]);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `postgres://edge@127.0.0.1:${port}/postgres`,
    async stop() {
      await run('pg_ctl', ['-D', data, '-w', '-t', '30', '-m', 'fast', 'stop']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
