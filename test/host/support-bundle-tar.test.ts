// The bundle's own tar writer, read back by the system tar (what the person receiving it runs),
// and the size cut with its marker.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cutToSize } from '../../agent/commands/support-bundle/collect.js';
import { writeTarGz } from '../../agent/commands/support-bundle/tar-gzip.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'edge-bundle-tar-'));
  dirs.push(dir);
  return dir;
}

describe('writeTarGz', () => {
  it('writes a 0600 archive that tar lists and extracts byte for byte', async () => {
    const dir = await tempDir();
    const file = join(dir, 'b.tar.gz');
    const big = Buffer.alloc(70_000, 'x');
    const entries = [
      { name: 'top/MANIFEST', data: Buffer.from('one\n'), mtimeSec: 1_700_000_000 },
      { name: 'top/journal/boot0.txt', data: big, mtimeSec: 1_700_000_000 },
      { name: 'top/empty.txt', data: Buffer.alloc(0), mtimeSec: 1_700_000_000 },
    ];
    const { bytes, sha256 } = await writeTarGz(file, entries);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(file)).size).toBe(bytes);
    expect(execFileSync('sha256sum', [file]).toString().split(' ')[0]).toBe(sha256);
    expect(execFileSync('tar', ['-tzf', file]).toString()).toBe('top/MANIFEST\ntop/journal/boot0.txt\ntop/empty.txt\n');
    const out = join(dir, 'out');
    execFileSync('mkdir', [out]);
    execFileSync('tar', ['-xzf', file, '-C', out]);
    expect(await readFile(join(out, 'top/journal/boot0.txt'))).toEqual(big);
    expect(await readFile(join(out, 'top/empty.txt'), 'utf8')).toBe('');
  });

  it('refuses to write through an existing path (a planted symlink is not followed)', async () => {
    const dir = await tempDir();
    await symlink('/etc/passwd-target-never', join(dir, 'b.tar.gz'));
    await expect(writeTarGz(join(dir, 'b.tar.gz'), [])).rejects.toThrow(/EEXIST/);
  });
});

describe('cutToSize', () => {
  it('keeps text that fits and cuts the rest to the cap, marker included', () => {
    expect(cutToSize(Buffer.from('short'), 100)).toEqual({ data: Buffer.from('short'), cut: false });
    const { data, cut } = cutToSize(Buffer.alloc(10_000, 'a'), 1000);
    expect(cut).toBe(true);
    expect(data.length).toBeLessThanOrEqual(1000);
    expect(data.toString()).toMatch(/a\n\[edge-agent support-bundle: cut here, \d+ of 10000 bytes kept\]\n$/);
  });

  it('leaves an item out whole when not even the marker fits', () => {
    expect(cutToSize(Buffer.alloc(500, 'a'), 20)).toEqual({ data: Buffer.alloc(0), cut: true });
  });
});
