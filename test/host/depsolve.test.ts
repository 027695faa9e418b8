// Depsolve for real: each shipped blueprint's package list (and the image-mode Containerfile's
// `dnf install` line) resolved by dnf's own depsolver (Debian's dnf, libsolv underneath) against a
// local repository made with createrepo_c, per target:
//   RHEL 9.2, 9.4, 9.6   stand-in nodejs 1:16 (RHEL 9's only non-modular nodejs)
//   RHEL 10              stand-in nodejs 1:22 (RHEL 10's plain nodejs)
// plus stand-ins for greenboot, microshift, microshift-greenboot, bash (/bin/sh, /bin/bash) and
// glibc/libstdc++ (the sonames the official Node.js binary links against, all in every RHEL 9 and
// 10), and the edge-agent RPMs this checkout builds (noarch, and edge-agent-runtime for x86_64,
// this machine's architecture). Stand-ins are empty packages built with rpmbuild that carry only
// the name, epoch-version and provides that matter to the solver.
//
// Module streams are simulated by leaving them out: the RHEL 9 repositories hold no nodejs 22 or
// 24 at all, which is what a composer that cannot enable a stream sees. The test prints which
// runtime each target gets.
import { execa } from 'execa';
import { mkdir, readdir, readFile, rm, writeFile, copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../harness/bundle.js';

const work = join(repoRoot, 'build', 'depsolve');
const blueprintDir = join(repoRoot, 'packaging', 'blueprint');

interface StandIn {
  name: string;
  evr: string;
  arch?: string;
  provides?: string[];
}

interface Target {
  id: string;
  blueprint: string;
  nodejs: string;
  microshift: string;
  /** The runtime the image must end up with. */
  expect: 'edge-agent-runtime' | 'system nodejs';
}

const targets: Target[] = [
  {
    id: 'rhel-9.2',
    blueprint: 'edge-agent-rhel-9.2.toml',
    nodejs: '1:16.19.1',
    microshift: '4.15.0',
    expect: 'edge-agent-runtime',
  },
  {
    id: 'rhel-9.4',
    blueprint: 'edge-agent-rhel-9.4.toml',
    nodejs: '1:16.20.2',
    microshift: '4.18.0',
    expect: 'edge-agent-runtime',
  },
  {
    id: 'rhel-9.6',
    blueprint: 'edge-agent-rhel-9.6.toml',
    nodejs: '1:16.20.2',
    microshift: '4.21.0',
    expect: 'edge-agent-runtime',
  },
  {
    id: 'rhel-10',
    blueprint: 'edge-agent-rhel-10.toml',
    nodejs: '1:22.19.0',
    microshift: '4.21.0',
    expect: 'system nodejs',
  },
];

// dnf's Python API: the same depsolve `dnf install` does, with no system repositories, an empty
// installroot and only the target's repository. Prints the install set as JSON, or the problem.
const solver = `
import dnf, json, sys
root, repo, names = sys.argv[1], sys.argv[2], sys.argv[3:]
base = dnf.Base()
base.conf.installroot = root
base.conf.cachedir = root + '/cache'
base.conf.reposdir = []
base.conf.substitutions['releasever'] = '9'
base.repos.add_new_repo('target', base.conf, baseurl=['file://' + repo])
base.fill_sack(load_system_repo=False)
try:
    for name in names:
        base.install(name)
    base.resolve()
except dnf.exceptions.Error as error:
    print(json.dumps({'error': str(error)}))
    sys.exit(0)
print(json.dumps({'install': sorted('%s-%s.%s' % (p.name, p.evr, p.arch) for p in base.transaction.install_set)}))
`;

let edgeAgentRpms: string[] = [];
let libraryProvides: string[] = [];

async function standIn(pkg: StandIn, outdir: string): Promise<string> {
  const [epoch, version] = pkg.evr.includes(':') ? pkg.evr.split(':') : [undefined, pkg.evr];
  const spec = [
    `Name: ${pkg.name}`,
    ...(epoch ? [`Epoch: ${epoch}`] : []),
    `Version: ${version}`,
    'Release: 1',
    'Summary: depsolve stand-in',
    'License: MIT',
    ...(pkg.arch ? [] : ['BuildArch: noarch']),
    ...(pkg.provides ?? []).map((p) => `Provides: ${p}`),
    '%description',
    `Stand-in for ${pkg.name} in edge-agent's depsolve test.`,
    '%files',
    '',
  ].join('\n');
  const top = join(work, 'stand-ins', `${pkg.name}-${version}`);
  await mkdir(join(top, 'SPECS'), { recursive: true });
  await mkdir(join(top, 'TMP'), { recursive: true });
  await writeFile(join(top, 'SPECS', 'p.spec'), spec);
  const build = await execa(
    'rpmbuild',
    [
      '-bb',
      '--quiet',
      '--define',
      `_topdir ${top}`,
      '--define',
      `_rpmdir ${outdir}`,
      // rpmbuild's scriptlets would go to the host's /var/tmp otherwise.
      '--define',
      `_tmppath ${top}/TMP`,
      ...(pkg.arch ? ['--target', pkg.arch] : []),
      join(top, 'SPECS', 'p.spec'),
    ],
    { reject: false, all: true },
  );
  if (build.exitCode !== 0) throw new Error(`rpmbuild of stand-in ${pkg.name} failed:\n${build.all}`);
  return pkg.name;
}

async function blueprintPackages(file: string): Promise<string[]> {
  const text = await readFile(join(blueprintDir, file), 'utf8');
  return [...text.matchAll(/^\[\[packages\]\]\nname = "([^"]+)"$/gm)].map((m) => m[1]!);
}

async function solve(target: Target, names: string[]): Promise<{ install?: string[]; error?: string }> {
  const root = join(work, 'root', target.id);
  await rm(root, { recursive: true, force: true });
  await mkdir(root, { recursive: true });
  const result = await execa('/usr/bin/python3', ['-c', solver, root, join(work, 'repo', target.id), ...names], {
    reject: false,
    all: true,
  });
  if (result.exitCode !== 0) throw new Error(`dnf could not run:\n${result.all}`);
  return JSON.parse(result.stdout) as { install?: string[]; error?: string };
}

function runtimeOf(install: string[]): string {
  const nodejs = install.find((p) => p.startsWith('nodejs-'));
  const runtime = install.find((p) => p.startsWith('edge-agent-runtime-'));
  return (
    [nodejs ? `system nodejs (${nodejs})` : '', runtime ? `edge-agent-runtime (${runtime})` : '']
      .filter(Boolean)
      .join(' + ') || 'none'
  );
}

beforeAll(async () => {
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const built = join(work, 'edge-agent');
  const build = await execa(
    'node',
    ['packaging/rpm/build-rpm.mjs', '--no-lint', '--runtime', 'x86_64', '--outdir', built],
    { cwd: repoRoot, reject: false, all: true },
  );
  if (build.exitCode !== 0) throw new Error(`building the edge-agent RPMs failed:\n${build.all}`);
  edgeAgentRpms = (await readdir(built)).filter((n) => n.endsWith('.rpm')).map((n) => join(built, n));
  const runtimeRpm = edgeAgentRpms.find((f) => f.includes('edge-agent-runtime-'));
  if (!runtimeRpm) throw new Error(`no edge-agent-runtime RPM in ${built}`);
  // What the runtime's binary links against, as its own package declares it.
  libraryProvides = (await execa('rpm', ['-qpR', runtimeRpm])).stdout
    .split('\n')
    .filter((r) => r && !r.startsWith('rpmlib('));

  const common = join(work, 'common');
  await mkdir(common, { recursive: true });
  await standIn({ name: 'greenboot', evr: '0.15.8' }, common);
  await standIn({ name: 'microshift-greenboot', evr: '4.15.0' }, common);
  await standIn({ name: 'bash', evr: '5.1.8', arch: 'x86_64', provides: ['/bin/sh', '/bin/bash'] }, common);
  await standIn({ name: 'glibc', evr: '2.34', arch: 'x86_64', provides: libraryProvides }, common);
  for (const target of targets) {
    const repo = join(work, 'repo', target.id);
    await mkdir(repo, { recursive: true });
    await standIn({ name: 'nodejs', evr: target.nodejs, arch: 'x86_64' }, join(work, 'nodejs', target.id));
    await standIn({ name: 'microshift', evr: target.microshift, arch: 'x86_64' }, join(work, 'microshift', target.id));
    for (const dir of [common, join(work, 'nodejs', target.id), join(work, 'microshift', target.id)]) {
      for (const arch of await readdir(dir))
        for (const name of await readdir(join(dir, arch))) await copyFile(join(dir, arch, name), join(repo, name));
    }
    for (const file of edgeAgentRpms) await copyFile(file, join(repo, file.split('/').pop()!));
    const createrepo = await execa('createrepo_c', ['--quiet', repo], { reject: false, all: true });
    if (createrepo.exitCode !== 0) throw new Error(`createrepo_c ${repo} failed:\n${createrepo.all}`);
  }
}, 300_000);

describe('each blueprint resolves on its target with dnf, and gets the runtime it says', () => {
  it.each(targets)('$id: $blueprint', async (target) => {
    const names = await blueprintPackages(target.blueprint);
    expect(names).toEqual(expect.arrayContaining(['microshift', 'microshift-greenboot', 'edge-agent']));
    const result = await solve(target, names);
    expect(result.error, `depsolve of ${target.blueprint} on ${target.id}`).toBeUndefined();
    const install = result.install ?? [];
    process.stdout.write(
      `depsolve ${target.id} (${target.blueprint}): runtime ${runtimeOf(install)}\n  ${install.join('\n  ')}\n`,
    );
    expect(install).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^edge-agent-\d/),
        expect.stringMatching(/^greenboot-/),
        expect.stringMatching(/^microshift-\d/),
      ]),
    );
    const hasNodejs = install.some((p) => p.startsWith('nodejs-'));
    const hasRuntime = install.some((p) => p.startsWith('edge-agent-runtime-'));
    expect({ hasNodejs, hasRuntime }).toEqual(
      target.expect === 'system nodejs'
        ? { hasNodejs: true, hasRuntime: false }
        : { hasNodejs: false, hasRuntime: true },
    );
  });
});

describe('the rich dependency on its own, without a runtime in the package list', () => {
  it.each(targets)('$id: `edge-agent` alone resolves, to the runtime the target can offer', async (target) => {
    const result = await solve(target, ['edge-agent']);
    expect(result.error, `depsolve of edge-agent alone on ${target.id}`).toBeUndefined();
    const install = result.install ?? [];
    process.stdout.write(`depsolve ${target.id} (edge-agent alone): runtime ${runtimeOf(install)}\n`);
    // RHEL 9's nodejs 16 never satisfies it. On RHEL 10 either alternative does, and dnf takes
    // edge-agent-runtime when nothing asks for nodejs: so the RHEL 10 blueprint lists nodejs.
    if (target.expect === 'edge-agent-runtime') expect(runtimeOf(install)).toMatch(/^edge-agent-runtime \(/);
    else expect(runtimeOf(install)).not.toBe('none');
  });

  it('fails on RHEL 9 when the runtime is left out of the repository: nodejs 16 is not enough', async () => {
    const target = targets[0]!;
    const repo = join(work, 'repo', `${target.id}-without-runtime`);
    await mkdir(repo, { recursive: true });
    for (const name of await readdir(join(work, 'repo', target.id))) {
      if (name.endsWith('.rpm') && !name.startsWith('edge-agent-runtime-'))
        await copyFile(join(work, 'repo', target.id, name), join(repo, name));
    }
    await execa('createrepo_c', ['--quiet', repo]);
    const result = await solve({ ...target, id: `${target.id}-without-runtime` }, ['edge-agent']);
    expect(result.install).toBeUndefined();
    expect(result.error).toMatch(/nodejs >= 1:22|edge-agent-runtime/);
  });
});

describe('image mode', () => {
  it("the Containerfile's dnf install line resolves on RHEL 9.6", async () => {
    const containerfile = await readFile(join(blueprintDir, 'edge-agent-bootc.Containerfile'), 'utf8');
    const line = /^RUN dnf install -y ([^&\\]+)/m.exec(containerfile)?.[1];
    expect(line).toBeDefined();
    const names = line!.trim().split(/\s+/);
    expect(names).toEqual(expect.arrayContaining(['microshift', 'edge-agent', 'edge-agent-runtime']));
    const result = await solve(
      targets.find((t) => t.id === 'rhel-9.6')!,
      names,
    );
    expect(result.error).toBeUndefined();
    process.stdout.write(`depsolve rhel-9.6 bootc (Containerfile): runtime ${runtimeOf(result.install ?? [])}\n`);
    expect(runtimeOf(result.install ?? [])).toMatch(/^edge-agent-runtime \(/);
  });
});
