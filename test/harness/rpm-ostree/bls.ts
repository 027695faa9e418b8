// The Boot Loader Specification entries ostree keeps in /boot/loader/entries, one per deployment
// on the bootloader menu, and `ostree admin status`.
//
// What it simulates: ostree's naming (`ostree-<N>-<osname>.conf`, N counting down from the number
// of deployments, so the default deployment has the highest N and sorts first), the fields
// greenboot and GRUB look at (title with `(ostree:<index>)`, version, options with `ostree=`,
// linux, initrd), a staged deployment having no entry until it is finalized at shutdown, and
// `ostree admin status` marking the booted deployment with `*` and the others `(staged)`,
// `(pending)` or `(rollback)`. What it leaves out: kernels and initramfs files (the paths point
// nowhere), boot checksums (the commit checksum stands in), kernel arguments, aboot and
// other bootloaders, `ostree admin` commands other than `status`.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SimDeployment, SimState } from './state.js';

export const entriesInside = '/boot/loader/entries';

const kernel = '5.14.0-427.13.1.el9_4.x86_64';

/** The entries for `state`: file name and content. */
export function renderBlsEntries(state: SimState): { name: string; content: string }[] {
  const onMenu = state.deployments.filter((d) => d.id !== state.staged);
  return onMenu.map((d, index) => {
    const n = onMenu.length - index;
    const boot = `/ostree/${d.osname}-${d.checksum}`;
    const content = [
      `title Red Hat Enterprise Linux ${d.version} (ostree:${index})`,
      `version ${n}`,
      `options root=UUID=2ea0d7d5-5f3e-4b1c-9a4e-0c6d1c0b1e11 rw boot=UUID=8c1f0e6a-1d1e-4d0e-9b5f-6a1c2b3d4e5f ostree=/ostree/boot.1/${d.osname}/${d.checksum}/${d.serial}`,
      `linux ${boot}/vmlinuz-${kernel}`,
      `initrd ${boot}/initramfs-${kernel}.img`,
      '',
    ].join('\n');
    return { name: `ostree-${n}-${d.osname}.conf`, content };
  });
}

/** Make `<root>/boot/loader/entries` hold exactly the entries of `state`. */
export function writeBlsEntries(root: string, state: SimState): void {
  const dir = join(root, entriesInside);
  mkdirSync(dir, { recursive: true });
  const entries = renderBlsEntries(state);
  const keep = new Set(entries.map((e) => e.name));
  for (const name of existsSync(dir) ? readdirSync(dir) : [])
    if (/^ostree-.*\.conf$/.test(name) && !keep.has(name)) rmSync(join(dir, name), { force: true });
  for (const entry of entries) {
    const file = join(dir, entry.name);
    writeFileSync(`${file}.tmp`, entry.content);
    renameSync(`${file}.tmp`, file);
  }
}

/** `ostree admin status` text. */
export function renderOstreeAdminStatus(state: SimState): string {
  const bootedIndex = state.deployments.findIndex((d) => d.id === state.booted);
  const mark = (d: SimDeployment, index: number): string => {
    if (d.id === state.booted) return '';
    if (d.id === state.staged) return ' (staged)';
    return index < bootedIndex ? ' (pending)' : ' (rollback)';
  };
  return state.deployments
    .map((d, index) => {
      const origin = d.origin ? `origin refspec: ${d.origin}` : `origin: <unknown origin type>`;
      const pinned = d.pinned ? '    Pinned: yes\n' : '';
      return `${d.id === state.booted ? '*' : ' '} ${d.osname} ${d.checksum}.${d.serial}${mark(d, index)}\n    Version: ${d.version}\n${pinned}    ${origin}\n`;
    })
    .join('');
}
