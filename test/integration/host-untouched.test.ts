// The virtual edge device never writes the host: a device writes everywhere it can (/etc, /usr,
// /var, /boot, the repo, root's home) from a shell and from a unit, reboots, and is disposed;
// then nothing on the host outside /tmp, /proc, /sys, /dev and /run is newer than a marker, save
// files a live host process still holds open for writing (the CI runner's own log).
import { mkdir, mkdtemp, open, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { repoRoot } from '../harness/bundle.js';
import { filesOpenForWriting, findHostWrites, inOtherCheckout } from '../harness/host-writes.js';
import { VirtualDevice } from '../harness/vdev.js';

it('leaves the host file system untouched', async () => {
  const marker = join(await mkdtemp(join(tmpdir(), 'edge-marker-')), 'marker');
  await writeFile(marker, '');
  await new Promise((resolve) => setTimeout(resolve, 20));
  const targets = [
    '/etc/edge-probe',
    '/usr/bin/edge-probe',
    '/var/lib/edge-probe/x',
    '/boot/edge-probe',
    `${repoRoot}/edge-probe`,
    '/root/edge-probe',
  ];
  // A checkout under /tmp or /run is bound into the device read-only (the device's own /tmp and
  // /run are fresh): there the write is refused outright, which keeps the host just as untouched.
  const readOnlyRepo = /^\/(tmp|run)\//.test(repoRoot);
  const device = await VirtualDevice.boot({ name: 'vdev-untouched' });
  try {
    await device.sh(
      targets
        .filter((t) => !(readOnlyRepo && t.startsWith(repoRoot)))
        .map((t) => `mkdir -p $(dirname ${t}) && echo device > ${t}`)
        .join(' && '),
    );
    if (readOnlyRepo)
      expect(await device.sh(`{ echo device > ${repoRoot}/edge-probe; } 2>&1 || echo refused`)).toMatch(
        /Read-only file system[\s\S]*refused/,
      );
    await device.sh(
      `rm -f /etc/hostname; touch /etc/os-release; systemd-run --wait --quiet sh -c 'echo unit > /var/edge-probe-unit'`,
    );
    await device.reboot();
    expect(await device.readFile('/var/edge-probe-unit')).toBe('unit\n');
  } finally {
    await device.dispose();
  }
  for (const target of targets) expect(existsSync(target)).toBe(false);
  // Only the test process's own outputs in the repo may be newer (bundles, vitest's cache).
  const { writes, heldOpen, otherCheckouts } = await findHostWrites(
    marker,
    [join(repoRoot, 'build'), join(repoRoot, 'node_modules', '.vite'), join(repoRoot, 'node_modules', '.vitest')],
    repoRoot,
  );
  if (heldOpen.length) console.log(`newer but held open for writing by a live host process: ${heldOpen.join(', ')}`);
  if (otherCheckouts.length) console.log(`newer, in other git checkouts on this machine: ${otherCheckouts.join(', ')}`);
  expect(writes).toEqual([]);
});

// The scan's one exception must see what it claims to: a file this process holds open for writing
// is listed, one it only reads is not, and one it has closed again is not.
it('tells files held open for writing from files that were written and closed', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'edge-held-'));
  const held = join(dir, 'held');
  const read = join(dir, 'read');
  const closed = join(dir, 'closed');
  await Promise.all([writeFile(read, 'r'), writeFile(closed, 'c')]);
  const writer = await open(held, 'a');
  const reader = await open(read, 'r');
  try {
    const openNow = await filesOpenForWriting();
    expect(openNow.has(held)).toBe(true);
    expect(openNow.has(read)).toBe(false);
    expect(openNow.has(closed)).toBe(false);
  } finally {
    await writer.close();
    await reader.close();
  }
  expect((await filesOpenForWriting()).has(held)).toBe(false);
});

// The scan's other exception: files in another git checkout (a developer's work going on beside
// the run), never in this one or outside any checkout.
it('tells files in other git checkouts from files in this one and elsewhere', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'edge-checkouts-'));
  for (const git of ['other/.git', 'parent/.git', 'parent/own/.git']) await mkdir(join(dir, git), { recursive: true });
  const own = join(dir, 'parent', 'own');
  expect(inOtherCheckout(join(dir, 'other', 'agent', 'x.ts'), own)).toBe(true);
  expect(inOtherCheckout(join(dir, 'other', '.git', 'objects', 'ab'), own)).toBe(true);
  expect(inOtherCheckout(join(dir, 'parent', 'y.ts'), own)).toBe(true);
  expect(inOtherCheckout(join(own, 'agent', 'x.ts'), own)).toBe(false);
  expect(inOtherCheckout(join(own, '.git', 'index'), own)).toBe(false);
  expect(inOtherCheckout(join(dir, 'plain', 'file'), own)).toBe(false);
});
