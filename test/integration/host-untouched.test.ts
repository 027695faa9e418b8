// The virtual edge device never writes the host: a device writes everywhere it can (/etc, /usr,
// /var, /boot, the repo, root's home) from a shell and from a unit, reboots, and is disposed;
// then nothing on the host outside /tmp, /proc, /sys, /dev and /run is newer than a marker.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { repoRoot } from '../harness/bundle.js';
import { findHostWrites } from '../harness/host-writes.js';
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
  const writes = await findHostWrites(marker, [
    join(repoRoot, 'build'),
    join(repoRoot, 'node_modules', '.vite'),
    join(repoRoot, 'node_modules', '.vitest'),
  ]);
  expect(writes).toEqual([]);
});
