// The grubenv reader against files made by the real grub-editenv.
import { execa } from 'execa';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError } from '../../agent/errors.js';
import { createHostFs } from '../../agent/host/fs.js';
import { createGrubEnvReader, GRUBENV_PATH } from '../../agent/host/grubenv.js';

describe('grubenv', () => {
  let root: string;
  let file: string;
  const reader = () => createGrubEnvReader({ fs: createHostFs(root) });
  const editenv = async (...args: string[]) => {
    await execa('grub-editenv', [file, ...args]);
  };
  const fresh = async (...vars: string[]) => {
    await rm(file, { force: true });
    await editenv('create');
    if (vars.length) await editenv('set', ...vars);
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'edge-grubenv-'));
    await mkdir(join(root, 'boot/grub2'), { recursive: true });
    file = join(root, GRUBENV_PATH);
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reads the variables greenboot sets', async () => {
    await fresh('boot_counter=2', 'boot_success=0', 'saved_entry=ostree-2-rhel', 'boot_indeterminate=0');
    const env = await reader().read();
    expect(env).toMatchObject({ bootCounter: 2, bootSuccess: 0, warnings: [] });
    expect(env?.vars).toEqual({
      boot_counter: '2',
      boot_success: '0',
      saved_entry: 'ostree-2-rhel',
      boot_indeterminate: '0',
    });
  });

  it.each([
    ['-1', -1, []],
    ['0', 0, []],
    ['2', 2, []],
    ['two', undefined, ['boot_counter="two" is not an integer; treated as unset']],
  ])('boot_counter=%s reads as %s', async (raw, expected, warnings) => {
    await fresh(`boot_counter=${raw}`, 'boot_success=0');
    const env = await reader().read();
    expect(env?.bootCounter).toBe(expected);
    expect(env?.warnings).toEqual(warnings);
  });

  it('reads an unset counter and a good boot after greenboot cleaned up', async () => {
    await fresh('boot_counter=1', 'boot_success=0');
    await editenv('set', 'boot_success=1');
    await editenv('unset', 'boot_counter');
    expect(await reader().read()).toMatchObject({
      bootCounter: undefined,
      bootSuccess: 1,
      vars: { boot_success: '1' },
    });
  });

  it('reads the variables greenboot-rs keeps', async () => {
    await fresh('boot_success=0', 'boot_counter=3', 'greenboot_next_deployment_id=rhel-4f1c2e0a.0', 'fallback=1');
    expect(await reader().read()).toMatchObject({ bootCounter: 3, nextDeploymentId: 'rhel-4f1c2e0a.0', fallback: '1' });
  });

  it('keeps escaped backslashes and newlines in values', async () => {
    await fresh('kernelopts=root=/dev/vda3 quiet', 'odd=a\\b\nc');
    expect((await reader().read())?.vars).toMatchObject({ kernelopts: 'root=/dev/vda3 quiet', odd: 'a\\b\nc' });
  });

  it('is undefined when there is no grubenv (not a GRUB host)', async () => {
    await rm(file, { force: true });
    expect(await reader().read()).toBeUndefined();
  });

  it('rejects a block without the header, naming the file', async () => {
    await writeFile(file, Buffer.from('boot_counter=2\n'.padEnd(1024, '#'), 'latin1'));
    const error = await reader()
      .read()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect(error).toMatchObject({ code: 'grubenv-invalid' });
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toContain('header');
  });

  it.each([
    ['truncated', (b: Buffer) => b.subarray(0, 512)],
    ['oversized', (b: Buffer) => Buffer.concat([b, Buffer.from('#\n')])],
  ])('rejects a %s block', async (_kind, mangle) => {
    await fresh('boot_counter=2');
    await writeFile(file, mangle(await readFile(file)));
    await expect(reader().read()).rejects.toMatchObject({
      code: 'grubenv-invalid',
      message: expect.stringContaining(file),
    });
  });

  it('warns about a boot_success that is neither 0 nor 1', async () => {
    await fresh('boot_success=yes');
    expect(await reader().read()).toMatchObject({
      bootSuccess: undefined,
      warnings: ['boot_success="yes" is neither 0 nor 1; treated as unset'],
    });
  });
});
