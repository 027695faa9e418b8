// The RPM build end to end with the real rpmbuild and rpmlint (`npm run rpm`, into build/rpm-host/
// so a test run never races a developer's dist/rpm/): what the packages contain, with which
// modes, owners and flags, what they require (printed, `rpm -qpR`), their scriptlets, and that
// rpmlint passes with packaging/rpm/rpmlintrc. edge-agent is noarch; edge-agent-runtime is built
// for x86_64 and aarch64 on this x86_64 machine, and both are checked with `rpm -qp`. Also that
// the packaging snippets (kickstart, blueprint) stay in step with the program.
import { execa } from 'execa';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeConfig } from '../../agent/config/describe.js';
import { defaultConfig } from '../../agent/config/schema.js';
import { renderJournaldDropIn } from '../../agent/core/journald-conf.js';
import { exitCodeHelp } from '../../agent/exit-codes.js';
import { repoRoot } from '../harness/bundle.js';
import { runtimePackages, runtimeTarball, runtimeVersion } from '../../packaging/rpm/node-runtime.mjs';

const outdir = join(repoRoot, 'build', 'rpm-host');
const pkg = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
const version = pkg.version.replaceAll('-', '~');

interface FileEntry {
  path: string;
  /** rpm's fflags: c config, n noreplace, d doc, l license, g ghost. */
  flags: string;
  perms: string;
  user: string;
  group: string;
}

let buildOutput = '';
let mainRpm = '';
const runtimeRpms: Record<string, string> = {};
const arches = ['x86_64', 'aarch64'];
let hubRpm = '';

async function rpmQuery(file: string, ...args: string[]): Promise<string> {
  return (await execa('rpm', ['-qp', ...args, file], { stderr: 'ignore' })).stdout;
}

async function filesOf(file: string): Promise<Map<string, FileEntry>> {
  const text = await rpmQuery(
    file,
    '--qf',
    '[%{FILENAMES}\\t%{FILEFLAGS:fflags}\\t%{FILEMODES:perms}\\t%{FILEUSERNAME}\\t%{FILEGROUPNAME}\\n]',
  );
  const entries = text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [path = '', flags = '', perms = '', user = '', group = ''] = line.split('\t');
      return { path, flags, perms, user, group };
    });
  return new Map(entries.map((e) => [e.path, e]));
}

/** One file's content from a package, through rpm2cpio. */
async function extract(file: string, path: string): Promise<Buffer> {
  const result = await execa('sh', ['-c', `rpm2cpio '${file}' | cpio -i --quiet --to-stdout '.${path}'`], {
    encoding: 'buffer',
    stripFinalNewline: false,
  });
  return Buffer.from(result.stdout);
}

async function repoShims(): Promise<string[]> {
  const root = join(repoRoot, 'greenboot');
  const walk = async (dir: string): Promise<string[]> =>
    (
      await Promise.all(
        (await readdir(dir, { withFileTypes: true })).map((e) =>
          e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
        ),
      )
    ).flat();
  return (await walk(root))
    .filter((f) => f.endsWith('.sh'))
    .map((f) => `/etc/greenboot/${relative(root, f)}`)
    .sort();
}

beforeAll(async () => {
  const result = await execa('node', ['packaging/rpm/build-rpm.mjs', '--outdir', outdir], {
    cwd: repoRoot,
    reject: false,
    all: true,
  });
  buildOutput = result.all ?? '';
  if (result.exitCode !== 0) throw new Error(`npm run rpm failed (exit ${result.exitCode}):\n${buildOutput}`);
  const names = await readdir(outdir);
  mainRpm = join(
    outdir,
    names.find((n) => n.startsWith(`edge-agent-${version}-`) && n.endsWith('.noarch.rpm')) ?? 'missing-main.rpm',
  );
  for (const arch of arches)
    runtimeRpms[arch] = join(
      outdir,
      names.find((n) => n.startsWith('edge-agent-runtime-') && n.endsWith(`.${arch}.rpm`)) ??
        `missing-runtime-${arch}.rpm`,
    );
  // What each package requires, in the test output for whoever reviews a change of it.
  hubRpm = join(outdir, names.find((n) => n.startsWith('edge-agent-hub-')) ?? 'missing-hub.rpm');
  for (const file of [mainRpm, hubRpm, ...Object.values(runtimeRpms)]) {
    const requires = (await rpmQuery(file, '-R')).split('\n').filter((r) => !r.startsWith('rpmlib('));
    process.stdout.write(`rpm -qpR ${relative(repoRoot, file)}:\n${requires.map((r) => `  ${r}`).join('\n')}\n`);
  }
}, 240_000);

describe('npm run rpm', () => {
  it('builds the noarch package and the runtime for x86_64 and aarch64 from verified Node.js tarballs, and rpmlint passes', () => {
    expect(buildOutput).toMatch(/rpm: rpmbuild noarch: ok/);
    for (const arch of arches) {
      expect(buildOutput).toMatch(
        new RegExp(
          `rpm: runtime  ${arch}: ${runtimePackages[arch as keyof typeof runtimePackages].npm}@${runtimeVersion}, sha512 as the registry publishes it`,
        ),
      );
      expect(buildOutput).toMatch(
        new RegExp(`rpm: rpmbuild ${arch} --with runtime \\(Node\\.js ${runtimeVersion}\\): ok`),
      );
    }
    expect(buildOutput).toMatch(/rpmlint .* 0 errors/);
    expect(buildOutput).toMatch(new RegExp(`rpm: done in .* edge-agent ${version}-1`));
  });

  it('names the architectures: edge-agent noarch, edge-agent-runtime x86_64 and aarch64', async () => {
    expect(await rpmQuery(mainRpm, '--qf', '%{NAME} %{VERSION} %{ARCH}')).toBe(`edge-agent ${version} noarch`);
    for (const arch of arches)
      expect(await rpmQuery(runtimeRpms[arch]!, '--qf', '%{NAME} %{VERSION} %{ARCH}')).toBe(
        `edge-agent-runtime ${version} ${arch}`,
      );
  });
});

describe('edge-agent package contents', () => {
  it.each<[string, string, string]>([
    ['/usr/bin/edge-agent', '-rwxr-xr-x', ''],
    ['/usr/libexec/edge-agent', 'drwxr-xr-x', ''],
    ['/usr/libexec/edge-agent/cli.js', '-rwxr-xr-x', ''],
    ['/usr/libexec/edge-agent/node', '-rwxr-xr-x', ''],
    ['/usr/libexec/edge-agent/edge-agent.cjs', '-rw-r--r--', ''],
    ['/usr/libexec/edge-agent/chunks', 'drwxr-xr-x', ''],
    ['/usr/lib/systemd/system/edge-agent.service', '-rw-r--r--', ''],
    ['/etc/edge-agent', 'drwxr-xr-x', ''],
    ['/etc/edge-agent/config.yaml', '-rw-r--r--', 'cn'],
    ['/etc/edge-agent/config.d', 'drwxr-xr-x', ''],
    ['/etc/systemd/journald.conf.d', 'drwxr-xr-x', ''],
    ['/usr/lib/tmpfiles.d/edge-agent.conf', '-rw-r--r--', ''],
    ['/usr/share/man/man1/edge-agent.1.gz', '-rw-r--r--', 'd'],
    ['/usr/share/licenses/edge-agent/LICENSE', '-rw-r--r--', 'l'],
    ['/usr/share/licenses/edge-agent/bundled-licenses.txt', '-rw-r--r--', 'l'],
    ['/usr/share/doc/edge-agent/README.md', '-rw-r--r--', 'd'],
    ['/usr/share/doc/edge-agent/operator-guide.md', '-rw-r--r--', 'd'],
  ])('%s: %s root:root, flags "%s"', async (path, perms, flags) => {
    const entry = (await filesOf(mainRpm)).get(path);
    expect(entry).toEqual({ path, flags, perms, user: 'root', group: 'root' });
  });

  it('installs every greenboot shim of the repository, executable, and nothing else under /etc/greenboot', async () => {
    const files = await filesOf(mainRpm);
    const shims = [...files.values()].filter((e) => e.path.startsWith('/etc/greenboot/'));
    expect(shims.map((e) => e.path).sort()).toEqual(await repoShims());
    expect(shims.map((e) => e.path)).toContain('/etc/greenboot/check/required.d/35_edge_agent_required.sh');
    // Code, not configuration: an update must replace them.
    for (const shim of shims)
      expect(shim).toMatchObject({ perms: '-rwxr-xr-x', flags: '', user: 'root', group: 'root' });
  });

  it('ships nothing under /var (image mode): the state directories come from tmpfiles.d with their modes', async () => {
    const paths = [...(await filesOf(mainRpm)).keys()];
    expect(paths.filter((p) => p.startsWith('/var'))).toEqual([]);
    const lines = (await extract(mainRpm, '/usr/lib/tmpfiles.d/edge-agent.conf'))
      .toString()
      .split('\n')
      .filter((l) => l && !l.startsWith('#'));
    expect(lines).toEqual([
      'd /var/lib/edge-agent 0700 root root -',
      'd /var/lib/edge-agent/boots 0700 root root -',
      'd /var/lib/edge-agent/outbox 0700 root root -',
    ]);
    // systemd-tmpfiles itself accepts the snippet and creates exactly those directories.
    const root = await mkdtemp(join(tmpdir(), 'edge-agent-tmpfiles-'));
    try {
      await writeFile(join(root, 'edge-agent.conf'), await extract(mainRpm, '/usr/lib/tmpfiles.d/edge-agent.conf'));
      const create = await execa('systemd-tmpfiles', ['--create', `--root=${root}`, join(root, 'edge-agent.conf')], {
        reject: false,
        all: true,
      });
      expect(create.exitCode, create.all).toBe(0);
      const modes = await execa('stat', [
        '-c',
        '%a %U:%G %n',
        ...['', '/boots', '/outbox'].map((d) => join(root, 'var/lib/edge-agent' + d)),
      ]);
      expect(modes.stdout.replaceAll(root, '')).toBe(
        '700 root:root /var/lib/edge-agent\n700 root:root /var/lib/edge-agent/boots\n700 root:root /var/lib/edge-agent/outbox',
      );
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('ships the bundle with its chunks and runtime chooser, and no node_modules', async () => {
    const paths = [...(await filesOf(mainRpm)).keys()];
    expect(paths.filter((p) => /^\/usr\/libexec\/edge-agent\/chunks\/.+\.js$/.test(p)).length).toBeGreaterThan(0);
    expect(paths.filter((p) => p.includes('node_modules'))).toEqual([]);
    const launcher = (await extract(mainRpm, '/usr/bin/edge-agent')).toString();
    expect(launcher).toMatch(/^#!\/bin\/sh\n/);
    expect(launcher).toContain('exec /usr/libexec/edge-agent/node /usr/libexec/edge-agent/edge-agent.cjs "$@"');
    expect((await extract(mainRpm, '/usr/libexec/edge-agent/cli.js')).toString().split('\n')[0]).toBe(
      '#!/usr/libexec/edge-agent/node',
    );
    expect((await extract(mainRpm, '/usr/libexec/edge-agent/node')).toString()).toBe(
      await readFile(join(repoRoot, 'packaging', 'runtime', 'node.sh'), 'utf8'),
    );
  });

  it('ships as config.yaml exactly what describeConfig() renders from the schema', async () => {
    expect((await extract(mainRpm, '/etc/edge-agent/config.yaml')).toString()).toBe(describeConfig());
  });

  it('ships the unit file of the repository', async () => {
    expect((await extract(mainRpm, '/usr/lib/systemd/system/edge-agent.service')).toString()).toBe(
      await readFile(join(repoRoot, 'units', 'edge-agent.service'), 'utf8'),
    );
  });

  it('ships a man page generated from the program: every command, every exit code', async () => {
    const page = (
      await execa('gzip', ['-dc'], { input: await extract(mainRpm, '/usr/share/man/man1/edge-agent.1.gz') })
    ).stdout;
    expect(page).toMatch(new RegExp(`^\\.TH EDGE-AGENT 1 "\\d{4}-\\d{2}-\\d{2}" "edge-agent ${pkg.version}"`, 'm'));
    for (const section of [
      'NAME',
      'SYNOPSIS',
      'DESCRIPTION',
      'COMMANDS',
      'EXIT STATUS',
      'GREENBOOT INTEGRATION',
      'FILES',
      'SEE ALSO',
    ])
      expect(page).toContain(`.SH ${section}\n`);
    const help = (await execa('node', [join(repoRoot, 'build', 'dist', 'cli.js'), '--help'])).stdout;
    const commandLines = help.split('Commands:\n')[1]?.split('\n\n')[0]?.split('\n') ?? [];
    expect(commandLines.length).toBeGreaterThan(0);
    for (const line of commandLines)
      expect(page).toContain(
        `.B ${line
          .trim()
          .split(/\s{2,}/)[0]!
          .replaceAll('-', '\\-')}`,
      );
    for (const code of Object.keys(exitCodeHelp)) expect(page).toContain(`.TP\n.B ${code}\n`);
    for (const shim of await repoShims()) expect(page).toContain(shim.replaceAll('-', '\\-'));
    // man-db's own checker (the one rpmlint uses) finds nothing to complain about.
    const dir = await mkdtemp(join(tmpdir(), 'edge-agent-man-'));
    try {
      await writeFile(join(dir, 'edge-agent.1'), page);
      const lint = await execa('man', ['--warnings', '-E', 'UTF-8', '-l', '-Tutf8', '-Z', join(dir, 'edge-agent.1')], {
        reject: false,
        stdout: 'ignore',
      });
      expect(lint.stderr).toBe('');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('requires a supported system Node.js (with the epoch) or edge-agent-runtime, and greenboot; no Node major pinned', async () => {
    const requires = (await rpmQuery(mainRpm, '--requires')).split('\n');
    expect(requires).toContain('(nodejs >= 1:22 or edge-agent-runtime)');
    expect(requires).toContain('greenboot');
    expect(requires.filter((r) => /nodejs </.test(r) || r.includes('journald'))).toEqual([]);
    expect((await rpmQuery(mainRpm, '--recommends')).trim()).toBe('');
    // The bundled npm packages are declared (Fedora's bundling policy).
    const provides = (await rpmQuery(mainRpm, '--provides')).split('\n');
    expect(provides).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^bundled\(nodejs-zod\) = /),
        expect.stringMatching(/^bundled\(nodejs-mqtt\) = /),
      ]),
    );
    // Replaced by node:https and node:child_process (cold start and memory): never bundled again.
    expect(provides.filter((p) => /kubernetes|execa/.test(p))).toEqual([]);
  });

  it('has the systemd scriptlets for the unit: post, preun, postun', async () => {
    const scripts = await rpmQuery(mainRpm, '--scripts');
    // "postinstall scriptlet (using /bin/sh):" followed by its body, up to the next scriptlet.
    const bodies = new Map(
      [...scripts.matchAll(/^(\w+) scriptlet \(using \/bin\/sh\):\n([\s\S]*?)(?=^\w+ scriptlet|(?![\s\S]))/gm)].map(
        (m) => [m[1], m[2] ?? ''],
      ),
    );
    expect([...bodies.keys()].sort()).toEqual(['postinstall', 'postuninstall', 'preuninstall']);
    for (const [name, body] of bodies) expect(body, name).toContain('edge-agent.service');
    expect(bodies.get('postinstall')).toMatch(/systemd-tmpfiles --create edge-agent\.conf/);
  });
});

describe('edge-agent-runtime packages (rpm -qp)', () => {
  it.each(arches)(
    '%s: the official Node.js binary, byte for byte, and nothing else outside its directory',
    async (arch) => {
      const file = runtimeRpms[arch]!;
      const files = await filesOf(file);
      expect([...files.keys()].sort()).toEqual([
        '/usr/libexec/edge-agent',
        '/usr/libexec/edge-agent/runtime',
        '/usr/libexec/edge-agent/runtime/node',
        '/usr/share/licenses/edge-agent-runtime',
        '/usr/share/licenses/edge-agent-runtime/LICENSE',
      ]);
      expect(files.get('/usr/libexec/edge-agent/runtime/node')).toMatchObject({
        perms: '-rwxr-xr-x',
        user: 'root',
        group: 'root',
        flags: '',
      });
      expect(files.get('/usr/share/licenses/edge-agent-runtime/LICENSE')?.flags).toBe('l');
      // The same bytes as bin/node of the verified npm tarball (no rebuild, no strip), compared by
      // digest: the binary is larger than a test wants to hold in memory twice.
      const tarball = runtimeTarball(arch);
      const digest = async (command: string) =>
        (await execa('sh', ['-c', `${command} | sha256sum`])).stdout.split(' ')[0];
      const fromNpm = await digest(`tar -xzOf '${tarball.file}' package/bin/node`);
      const packaged = await digest(
        `rpm2cpio '${file}' | cpio -i --quiet --to-stdout ./usr/libexec/edge-agent/runtime/node`,
      );
      expect(fromNpm).toMatch(/^[0-9a-f]{64}$/);
      expect(packaged).toBe(fromNpm);
      const machine = arch === 'x86_64' ? 'x86-64' : 'ARM aarch64';
      const type = await execa('sh', [
        '-c',
        `rpm2cpio '${file}' | cpio -i --quiet --to-stdout ./usr/libexec/edge-agent/runtime/node | head -c 65536 | file -b -`,
      ]);
      expect(type.stdout).toMatch(new RegExp(`^ELF 64-bit LSB .*, ${machine},`));
    },
  );

  it.each(arches)(
    '%s: requires only the C and C++ libraries of its own architecture, no nodejs and no edge-agent',
    async (arch) => {
      const requires = (await rpmQuery(runtimeRpms[arch]!, '-R'))
        .split('\n')
        .filter((r) => r && !r.startsWith('rpmlib('));
      const loader = arch === 'x86_64' ? 'ld-linux-x86-64.so.2' : 'ld-linux-aarch64.so.1';
      expect(requires).toContain(`${loader}()(64bit)`);
      expect(requires).toEqual(expect.arrayContaining(['libc.so.6()(64bit)', 'libstdc++.so.6()(64bit)']));
      for (const r of requires)
        expect(r).toMatch(/^(ld-linux-[\w-]+\.so\.\d|lib(c|m|dl|pthread|gcc_s|stdc\+\+)\.so\.\d)|^rtld\(GNU_HASH\)$/);
      expect(await rpmQuery(runtimeRpms[arch]!, '--provides')).toContain(`bundled(nodejs) = ${runtimeVersion}`);
    },
  );
});

describe('edge-agent-hub package', () => {
  it('is noarch, needs Node.js 22.5 (node:sqlite) or edge-agent-runtime, and edge-agent, and ships its unit and a noreplace config', async () => {
    expect(await rpmQuery(hubRpm, '--qf', '%{NAME} %{ARCH}')).toBe('edge-agent-hub noarch');
    const requires = (await rpmQuery(hubRpm, '--requires')).split('\n');
    expect(requires).toContain('(nodejs >= 1:22.5 or edge-agent-runtime)');
    expect(requires).toContain(`edge-agent = ${version}-1`);
    const files = await filesOf(hubRpm);
    expect(files.get('/usr/lib/systemd/system/edge-agent-hub.service')).toMatchObject({
      perms: '-rw-r--r--',
      user: 'root',
    });
    expect(files.get('/etc/edge-agent/hub.yaml')?.flags).toBe('cn');
  });
});

describe('rpmlint', () => {
  it('passes on the four packages with packaging/rpm/rpmlintrc', async () => {
    const result = await execa(
      'rpmlint',
      ['-r', join(repoRoot, 'packaging', 'rpm', 'rpmlintrc'), mainRpm, hubRpm, ...Object.values(runtimeRpms)],
      { reject: false, all: true },
    );
    expect(result.exitCode, result.all).toBe(0);
    expect(result.all).toMatch(/4 packages and 0 specfiles checked; 0 errors/);
  });

  it('says why for every filter', async () => {
    const lines = (await readFile(join(repoRoot, 'packaging', 'rpm', 'rpmlintrc'), 'utf8')).split('\n');
    const filters = lines.map((line, i) => ({ line, i })).filter(({ line }) => line.startsWith('addFilter('));
    expect(filters.length).toBeGreaterThan(0);
    for (const { line, i } of filters) expect(lines[i - 1], line).toMatch(/^# \S/);
  });
});

describe('packaging snippets stay in step with the program', () => {
  it('the kickstart writes the journald drop-in edge-agent itself writes with default sizes', async () => {
    const ks = await readFile(join(repoRoot, 'packaging', 'kickstart', 'edge-agent-post.ks'), 'utf8');
    const dropIn = /<<'DROPIN'\n([\s\S]*?)DROPIN\n/.exec(ks)?.[1];
    const { journal } = defaultConfig();
    expect(dropIn).toBe(
      renderJournaldDropIn({ systemMaxUse: journal.systemMaxUse, runtimeMaxUse: journal.runtimeMaxUse }),
    );
    expect(ks).toMatch(/^%post .*\n[\s\S]*^%end$/m);
    const body = /^%post[^\n]*\n([\s\S]*?)^%end$/m.exec(ks)?.[1] ?? '';
    expect((await execa('bash', ['-n'], { input: body, reject: false })).exitCode).toBe(0);
  });

  it.each(['rhel-9.2', 'rhel-9.4', 'rhel-9.6', 'rhel-10'])(
    'the %s blueprint enables edge-agent and its config file passes `edge-agent config validate`',
    async (target) => {
      const blueprint = await readFile(join(repoRoot, 'packaging', 'blueprint', `edge-agent-${target}.toml`), 'utf8');
      expect(blueprint).toMatch(/^# Runtime: /m);
      expect(blueprint).toMatch(/^\[\[packages\]\]\nname = "edge-agent"$/m);
      expect(blueprint).toMatch(/^\[customizations\.services\]\n(#.*\n)*enabled = \[.*"edge-agent".*\]$/m);
      const file =
        /^\[\[customizations\.files\]\]\npath = "\/etc\/edge-agent\/config\.yaml"[\s\S]*?^data = """\n([\s\S]*?)"""$/m.exec(
          blueprint,
        )?.[1];
      expect(file).toBeDefined();
      const root = await mkdtemp(join(tmpdir(), 'edge-agent-blueprint-'));
      try {
        await mkdir(join(root, 'etc', 'edge-agent'), { recursive: true });
        await writeFile(join(root, 'etc', 'edge-agent', 'config.yaml'), file!);
        const validate = await execa('node', [join(repoRoot, 'build', 'dist', 'cli.js'), 'config', 'validate'], {
          env: { EDGE_AGENT_ROOT: root },
          reject: false,
          all: true,
        });
        expect(validate.exitCode, validate.all).toBe(0);
      } finally {
        await rm(root, { recursive: true, force: true });
      }
    },
  );
});
