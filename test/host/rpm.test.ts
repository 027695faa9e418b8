// The RPM build end to end with the real rpmbuild and rpmlint (`npm run rpm`, into build/rpm-host/
// so a test run never races a developer's dist/rpm/): what the packages contain, with which
// modes, owners and flags, what they require, their scriptlets, and that rpmlint passes with
// packaging/rpm/rpmlintrc. Also that the packaging snippets (kickstart, blueprint) stay in step
// with the program.
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
let journaldRpm = '';
let hubRpm = '';

async function rpmQuery(file: string, ...args: string[]): Promise<string> {
  return (await execa('rpm', ['-qp', ...args, file], { stderr: 'ignore' })).stdout;
}

async function filesOf(file: string): Promise<Map<string, FileEntry>> {
  const text = await rpmQuery(file, '--qf', '[%{FILENAMES}\\t%{FILEFLAGS:fflags}\\t%{FILEMODES:perms}\\t%{FILEUSERNAME}\\t%{FILEGROUPNAME}\\n]');
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
  const result = await execa('sh', ['-c', `rpm2cpio '${file}' | cpio -i --quiet --to-stdout '.${path}'`], { encoding: 'buffer', stripFinalNewline: false });
  return Buffer.from(result.stdout);
}

async function repoShims(): Promise<string[]> {
  const root = join(repoRoot, 'greenboot');
  const walk = async (dir: string): Promise<string[]> =>
    (await Promise.all((await readdir(dir, { withFileTypes: true })).map((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)])))).flat();
  return (await walk(root)).filter((f) => f.endsWith('.sh')).map((f) => `/etc/greenboot/${relative(root, f)}`).sort();
}

beforeAll(async () => {
  const result = await execa('node', ['packaging/rpm/build-rpm.mjs', '--outdir', outdir], { cwd: repoRoot, reject: false, all: true });
  buildOutput = result.all ?? '';
  if (result.exitCode !== 0) throw new Error(`npm run rpm failed (exit ${result.exitCode}):\n${buildOutput}`);
  const names = await readdir(outdir);
  mainRpm = join(outdir, names.find((n) => n.startsWith(`edge-agent-${version}-`) && n.endsWith('.noarch.rpm')) ?? 'missing-main.rpm');
  journaldRpm = join(outdir, names.find((n) => n.startsWith('edge-agent-journald-')) ?? 'missing-journald.rpm');
  hubRpm = join(outdir, names.find((n) => n.startsWith('edge-agent-hub-')) ?? 'missing-hub.rpm');
}, 180_000);

describe('npm run rpm', () => {
  it('builds the noarch package and the arch-specific journald subpackage, and rpmlint passes', () => {
    expect(buildOutput).toMatch(/rpm: rpmbuild noarch: ok/);
    expect(buildOutput).toMatch(/rpm: rpmbuild \S+ --with journald .*: ok/);
    expect(buildOutput).toMatch(/rpmlint .* 0 errors/);
    expect(buildOutput).toMatch(new RegExp(`rpm: done in .* edge-agent ${version}-1`));
  });

  it('names the architectures: edge-agent noarch, edge-agent-journald the build machine', async () => {
    expect(await rpmQuery(mainRpm, '--qf', '%{NAME} %{VERSION} %{ARCH}')).toBe(`edge-agent ${version} noarch`);
    const arch = (await execa('rpm', ['--eval', '%{_arch}'])).stdout.trim();
    expect(await rpmQuery(journaldRpm, '--qf', '%{NAME} %{ARCH} %{LICENSE}')).toBe(`edge-agent-journald ${arch} MIT`);
  });
});

describe('edge-agent package contents', () => {
  it.each<[string, string, string]>([
    ['/usr/bin/edge-agent', '-rwxr-xr-x', ''],
    ['/usr/libexec/edge-agent', 'drwxr-xr-x', ''],
    ['/usr/libexec/edge-agent/cli.js', '-rwxr-xr-x', ''],
    ['/usr/libexec/edge-agent/edge-agent.cjs', '-rw-r--r--', ''],
    ['/usr/libexec/edge-agent/chunks', 'drwxr-xr-x', ''],
    ['/usr/lib/systemd/system/edge-agent.service', '-rw-r--r--', ''],
    ['/etc/edge-agent', 'drwxr-xr-x', ''],
    ['/etc/edge-agent/config.yaml', '-rw-r--r--', 'cn'],
    ['/etc/edge-agent/config.d', 'drwxr-xr-x', ''],
    ['/etc/systemd/journald.conf.d', 'drwxr-xr-x', ''],
    ['/var/lib/edge-agent', 'drwx------', ''],
    ['/var/lib/edge-agent/boots', 'drwx------', ''],
    ['/var/lib/edge-agent/outbox', 'drwx------', ''],
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
    for (const shim of shims) expect(shim).toMatchObject({ perms: '-rwxr-xr-x', flags: '', user: 'root', group: 'root' });
  });

  it('ships the bundle with its chunks and no node_modules (the binding is the subpackage)', async () => {
    const paths = [...(await filesOf(mainRpm)).keys()];
    expect(paths.filter((p) => /^\/usr\/libexec\/edge-agent\/chunks\/.+\.js$/.test(p)).length).toBeGreaterThan(0);
    expect(paths.filter((p) => p.includes('node_modules'))).toEqual([]);
    const launcher = (await extract(mainRpm, '/usr/bin/edge-agent')).toString();
    expect(launcher).toMatch(/^#!\/bin\/sh\n/);
    expect(launcher).toContain('exec /usr/bin/node /usr/libexec/edge-agent/edge-agent.cjs "$@"');
    expect((await extract(mainRpm, '/usr/libexec/edge-agent/cli.js')).toString().split('\n')[0]).toBe('#!/usr/bin/node');
  });

  it('ships as config.yaml exactly what describeConfig() renders from the schema', async () => {
    expect((await extract(mainRpm, '/etc/edge-agent/config.yaml')).toString()).toBe(describeConfig());
  });

  it('ships the unit file of the repository', async () => {
    expect((await extract(mainRpm, '/usr/lib/systemd/system/edge-agent.service')).toString()).toBe(await readFile(join(repoRoot, 'units', 'edge-agent.service'), 'utf8'));
  });

  it('ships a man page generated from the program: every command, every exit code', async () => {
    const page = (await execa('gzip', ['-dc'], { input: await extract(mainRpm, '/usr/share/man/man1/edge-agent.1.gz') })).stdout;
    expect(page).toMatch(new RegExp(`^\\.TH EDGE-AGENT 1 "\\d{4}-\\d{2}-\\d{2}" "edge-agent ${pkg.version}"`, 'm'));
    for (const section of ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'COMMANDS', 'EXIT STATUS', 'GREENBOOT INTEGRATION', 'FILES', 'SEE ALSO']) expect(page).toContain(`.SH ${section}\n`);
    const help = (await execa('node', [join(repoRoot, 'build', 'dist', 'cli.js'), '--help'])).stdout;
    const commandLines = help.split('Commands:\n')[1]?.split('\n\n')[0]?.split('\n') ?? [];
    expect(commandLines.length).toBeGreaterThan(0);
    for (const line of commandLines) expect(page).toContain(`.B ${line.trim().split(/\s{2,}/)[0]!.replaceAll('-', '\\-')}`);
    for (const code of Object.keys(exitCodeHelp)) expect(page).toContain(`.TP\n.B ${code}\n`);
    for (const shim of await repoShims()) expect(page).toContain(shim.replaceAll('-', '\\-'));
    // man-db's own checker (the one rpmlint uses) finds nothing to complain about.
    const dir = await mkdtemp(join(tmpdir(), 'edge-agent-man-'));
    try {
      await writeFile(join(dir, 'edge-agent.1'), page);
      const lint = await execa('man', ['--warnings', '-E', 'UTF-8', '-l', '-Tutf8', '-Z', join(dir, 'edge-agent.1')], { reject: false, stdout: 'ignore' });
      expect(lint.stderr).toBe('');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('requires Node.js >= 20 with the epoch and greenboot, and only recommends the binding', async () => {
    const requires = (await rpmQuery(mainRpm, '--requires')).split('\n');
    expect(requires).toContain('nodejs >= 1:20');
    expect(requires).toContain('greenboot');
    expect(requires.filter((r) => r.includes('journald'))).toEqual([]);
    expect((await rpmQuery(mainRpm, '--recommends')).split('\n')).toContain('edge-agent-journald');
    // The bundled npm packages are declared (Fedora's bundling policy).
    expect((await rpmQuery(mainRpm, '--provides')).split('\n')).toEqual(expect.arrayContaining([expect.stringMatching(/^bundled\(nodejs-zod\) = /), expect.stringMatching(/^bundled\(nodejs-execa\) = /)]));
  });

  it('has the systemd scriptlets for the unit: post, preun, postun', async () => {
    const scripts = await rpmQuery(mainRpm, '--scripts');
    // "postinstall scriptlet (using /bin/sh):" followed by its body, up to the next scriptlet.
    const bodies = new Map([...scripts.matchAll(/^(\w+) scriptlet \(using \/bin\/sh\):\n([\s\S]*?)(?=^\w+ scriptlet|(?![\s\S]))/gm)].map((m) => [m[1], m[2] ?? '']));
    expect([...bodies.keys()].sort()).toEqual(['postinstall', 'postuninstall', 'preuninstall']);
    for (const [name, body] of bodies) expect(body, name).toContain('edge-agent.service');
  });
});

describe('edge-agent-hub package', () => {
  it('is noarch, needs Node.js 22 and edge-agent, and ships its unit and a noreplace config', async () => {
    expect(await rpmQuery(hubRpm, '--qf', '%{NAME} %{ARCH}')).toBe('edge-agent-hub noarch');
    const requires = (await rpmQuery(hubRpm, '--requires')).split('\n');
    expect(requires).toContain('nodejs >= 1:22');
    expect(requires).toContain(`edge-agent = ${version}-1`);
    const files = await filesOf(hubRpm);
    expect(files.get('/usr/lib/systemd/system/edge-agent-hub.service')).toMatchObject({ perms: '-rw-r--r--', user: 'root' });
    expect(files.get('/etc/edge-agent/hub.yaml')?.flags).toBe('cn');
  });
});

describe('edge-agent-journald package contents', () => {
  it('installs the binding where the bundle resolves it, and requires the package and Node ABI', async () => {
    const files = await filesOf(journaldRpm);
    const dir = '/usr/libexec/edge-agent/node_modules/systemd-journald';
    expect(files.get(`${dir}/build/Release/journal_send.node`)).toMatchObject({ perms: '-rwxr-xr-x', user: 'root', group: 'root' });
    for (const name of ['index.js', 'log.js', 'package.json']) expect(files.get(`${dir}/${name}`)).toMatchObject({ perms: '-rw-r--r--' });
    expect(files.get('/usr/share/licenses/edge-agent-journald/LICENSE')?.flags).toBe('l');
    const requires = (await rpmQuery(journaldRpm, '--requires')).split('\n');
    expect(requires).toContain(`edge-agent = ${version}-1`);
    const major = process.versions.node.split('.')[0]!;
    expect(requires).toContain(`(nodejs >= 1:${major} with nodejs < 1:${Number(major) + 1})`);
    expect(requires).toEqual(expect.arrayContaining([expect.stringMatching(/^libsystemd\.so\.0/)]));
    // Stripped: no symbols beyond what the loader needs.
    const dir2 = await mkdtemp(join(tmpdir(), 'edge-agent-node-'));
    try {
      await writeFile(join(dir2, 'binding.node'), await extract(journaldRpm, `${dir}/build/Release/journal_send.node`));
      expect((await execa('file', [join(dir2, 'binding.node')])).stdout).toMatch(/, stripped/);
    } finally {
      await rm(dir2, { recursive: true, force: true });
    }
  });
});

describe('rpmlint', () => {
  it('passes on all three packages with packaging/rpm/rpmlintrc', async () => {
    const result = await execa('rpmlint', ['-r', join(repoRoot, 'packaging', 'rpm', 'rpmlintrc'), mainRpm, journaldRpm, hubRpm], { reject: false, all: true });
    expect(result.exitCode, result.all).toBe(0);
    expect(result.all).toMatch(/3 packages and 0 specfiles checked; 0 errors/);
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
    expect(dropIn).toBe(renderJournaldDropIn({ systemMaxUse: journal.systemMaxUse, runtimeMaxUse: journal.runtimeMaxUse }));
    expect(ks).toMatch(/^%post .*\n[\s\S]*^%end$/m);
    const body = /^%post[^\n]*\n([\s\S]*?)^%end$/m.exec(ks)?.[1] ?? '';
    expect((await execa('bash', ['-n'], { input: body, reject: false })).exitCode).toBe(0);
  });

  it('the blueprint enables edge-agent and its config file passes `edge-agent config validate`', async () => {
    const blueprint = await readFile(join(repoRoot, 'packaging', 'blueprint', 'edge-agent.toml'), 'utf8');
    expect(blueprint).toMatch(/^\[\[packages\]\]\nname = "edge-agent"$/m);
    expect(blueprint).toMatch(/^\[customizations\.services\]\n(#.*\n)*enabled = \[.*"edge-agent".*\]$/m);
    const file = /^\[\[customizations\.files\]\]\npath = "\/etc\/edge-agent\/config\.yaml"[\s\S]*?^data = """\n([\s\S]*?)"""$/m.exec(blueprint)?.[1];
    expect(file).toBeDefined();
    const root = await mkdtemp(join(tmpdir(), 'edge-agent-blueprint-'));
    try {
      await mkdir(join(root, 'etc', 'edge-agent'), { recursive: true });
      await writeFile(join(root, 'etc', 'edge-agent', 'config.yaml'), file!);
      const validate = await execa('node', [join(repoRoot, 'build', 'dist', 'cli.js'), 'config', 'validate'], { env: { EDGE_AGENT_ROOT: root }, reject: false, all: true });
      expect(validate.exitCode, validate.all).toBe(0);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
