// The GRUB environment block, read and written with the real `grub-editenv` of the host.
//
// What it simulates: nothing; this is the real tool on a real 1024-byte grubenv file (in a temp
// directory, or on a virtual device's disk). RHEL calls the tool `grub2-editenv` and defaults to
// /boot/grub2/grubenv; Debian calls it `grub-editenv` and defaults to /boot/grub/grubenv, so the
// host side always passes the file explicitly.
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

export type Grubenv = Record<string, string>;

const tool = 'grub-editenv';

/** Create an empty environment block (1024 bytes, with GRUB's header), then set vars. */
export async function createGrubenv(file: string, vars: Grubenv = {}): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await run([file, 'create']);
  await setGrubenv(file, vars);
}

export async function readGrubenv(file: string): Promise<Grubenv> {
  // grub-editenv lists a missing file as empty with exit 0: that would hide a broken harness.
  if (!existsSync(file)) throw new Error(`no grubenv at ${file}`);
  return parseGrubenvList(await run([file, 'list']));
}

export async function setGrubenv(file: string, vars: Grubenv): Promise<void> {
  const assignments = Object.entries(vars).map(([name, value]) => `${name}=${value}`);
  if (assignments.length > 0) await run([file, 'set', ...assignments]);
}

export async function unsetGrubenv(file: string, names: string[]): Promise<void> {
  if (names.length > 0) await run([file, 'unset', ...names]);
}

/** `grub-editenv FILE list` prints `name=value` lines; a value may itself contain `=`. */
export function parseGrubenvList(text: string): Grubenv {
  const env: Grubenv = {};
  for (const line of text.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) env[line.slice(0, at)] = line.slice(at + 1);
  }
  return env;
}

async function run(args: string[]): Promise<string> {
  const result = await execa(tool, args, { reject: false });
  if (result.exitCode !== 0) throw new Error(`${tool} ${args.join(' ')} exited ${result.exitCode}: ${result.stderr}`);
  return result.stdout;
}
