// Real RPMs named like the components of a MicroShift edge device, for the installed-components
// facts: the device's own rpm database answers `rpm -q`, so nothing about rpm is simulated.
//
// What they are: empty noarch packages (no files, no scripts) with the names and versions given;
// they are recorded with `rpm -i --justdb --nodeps` so no file of the device changes. What they
// leave out: every file, dependency and scriptlet of the real packages.
import { execa } from 'execa';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VirtualDevice } from './vdev.js';

export interface ComponentPackage {
  name: string;
  version: string;
  release: string;
}

function spec(pkg: ComponentPackage): string {
  return `Name: ${pkg.name}
Version: ${pkg.version}
Release: ${pkg.release}
Summary: edge-agent test stand-in for ${pkg.name}
License: Apache-2.0
BuildArch: noarch

%description
Empty package recorded in the virtual device's rpm database by edge-agent's tests.

%files
`;
}

/** Builds the packages (one rpmbuild each, in a temp dir) and records them in the device. */
export async function installComponentRpms(device: VirtualDevice, packages: ComponentPackage[]): Promise<void> {
  const top = await mkdtemp(join(tmpdir(), 'edge-component-rpms-'));
  try {
    for (const dir of ['SPECS', 'RPMS', 'BUILD', 'SOURCES', 'SRPMS', 'BUILDROOT', 'TMP']) await mkdir(join(top, dir));
    for (const pkg of packages) {
      const file = join(top, 'SPECS', `${pkg.name}.spec`);
      await writeFile(file, spec(pkg));
      // _tmppath: rpmbuild's scriptlets would go to the host's /var/tmp otherwise.
      await execa('rpmbuild', [
        '-bb',
        '--quiet',
        '--define',
        `_topdir ${top}`,
        '--define',
        `_tmppath ${top}/TMP`,
        file,
      ]);
    }
    const built = await readdir(join(top, 'RPMS', 'noarch'));
    const inside = '/var/tmp/component-rpms';
    await device.sh(`mkdir -p ${inside}`);
    for (const name of built)
      await device.writeFile(`${inside}/${name}`, await readFile(join(top, 'RPMS', 'noarch', name)));
    await device.sh(`rpm -i --justdb --nodeps ${built.map((n) => `${inside}/${n}`).join(' ')} && rm -rf ${inside}`);
  } finally {
    await rm(top, { recursive: true, force: true });
  }
}
