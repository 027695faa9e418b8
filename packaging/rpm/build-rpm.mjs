// `npm run rpm`: builds edge-agent's RPMs into dist/rpm/ and lints them.
//
//  1. bundles the CLI (packaging/build.mjs) and generates, from the source, the default
//     config.yaml (describeConfig()) and the man page (packaging/man/render-man.ts);
//  2. stages exactly what rpm.spec installs into a source tarball (Source0), and lists the npm
//     packages inside the bundle with their licenses (Source1; their license texts are shipped);
//  3. runs rpmbuild in a temporary _topdir: the noarch edge-agent, then edge-agent-runtime for
//     each architecture asked for (the pinned Node.js from the npm registry, verified against its
//     published integrity and cached: packaging/rpm/node-runtime.mjs);
//  4. copies the packages into dist/rpm/ and runs rpmlint with packaging/rpm/rpmlintrc.
// Exits non-zero when any step fails, including rpmlint errors. Works on Debian (loads
// packaging/rpm/macros.non-fedora) and on Fedora/RHEL (uses systemd-rpm-macros).
//
// Options: --outdir DIR (default dist/rpm), --version V (default package.json's), --release N
// (default 1), --config FILE (package FILE as /etc/edge-agent/config.yaml instead of the generated
// default: for tests of config upgrades), --runtime ARCHES (edge-agent-runtime for these rpm
// architectures, comma-separated; default x86_64,aarch64; "none" builds only edge-agent),
// --no-lint, --keep (keep the _topdir), --verbose.
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runtimePackages, runtimeTarball, runtimeVersion } from './node-runtime.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const started = Date.now();
const { values: opts } = parseArgs({
  options: {
    outdir: { type: 'string' },
    version: { type: 'string' },
    release: { type: 'string' },
    config: { type: 'string' },
    runtime: { type: 'string', default: 'x86_64,aarch64' },
    'no-lint': { type: 'boolean' },
    keep: { type: 'boolean' },
    verbose: { type: 'boolean' },
  },
});

// The npm "license" fields that are not SPDX expressions, read from each package's license file.
const licenseOverrides = {
  '@nornagon/put': 'MIT', // {"type": "MIT/X11"}: its LICENSE is the MIT text
  jsbi: 'Apache-2.0', // no license field; LICENSE is Apache-2.0
  'map-stream': 'MIT', // no license field; LICENCE is MIT
  'pause-stream': 'MIT OR Apache-2.0', // ["MIT", "Apache2"]
};

function fail(message) {
  process.stderr.write(`\nrpm: ${message}\n`);
  process.exit(1);
}

function say(message) {
  process.stdout.write(`${message}\n`);
}

/** Run a command; on failure print its output and stop. */
function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.error) fail(`${command} could not run: ${result.error.message}`);
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (opts.verbose) process.stdout.write(output);
  if (result.status !== 0 && !options.allowFailure) {
    process.stderr.write(output);
    fail(`${command} ${args.join(' ')} exited ${result.status ?? result.signal}`);
  }
  return result;
}

const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).status === 0;

function ensurePrerequisites(lint) {
  const apt = existsSync('/usr/bin/apt-get') && process.getuid?.() === 0;
  if (!existsSync(join(root, 'node_modules', 'esbuild')) || !existsSync(join(root, 'node_modules', 'tsx'))) {
    if (apt) run('node', ['scripts/setup.mjs', '--for', 'rpm'], { stdio: 'inherit' });
    else run('npm', ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  }
  const tools = [['rpmbuild', 'rpm'], ...(lint ? [['rpmlint', 'rpmlint']] : [])].filter(([tool]) => !has(tool));
  if (tools.length === 0) return;
  if (!apt)
    fail(
      `missing ${tools.map(([t]) => t).join(', ')}: install them (Fedora/RHEL: dnf install rpm-build rpmlint systemd-rpm-macros)`,
    );
  say(`rpm: installing ${tools.map(([, deb]) => deb).join(' ')} with apt-get`);
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...tools.map(([, deb]) => deb)], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

/** The date of the last commit (reproducible), else now; as rpm changelogs and man pages want it. */
function buildDate() {
  const git = spawnSync('git', ['log', '-1', '--format=%ct'], { cwd: root, encoding: 'utf8' });
  const seconds = Number(process.env.SOURCE_DATE_EPOCH ?? (git.status === 0 ? git.stdout.trim() : NaN));
  return Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000) : new Date();
}

function changelogDate(date) {
  const [weekday, day, month, year] = date.toUTCString().replace(',', '').split(' ');
  return `${weekday} ${month} ${day} ${year}`;
}

function tsx(args, outFile) {
  const result = run('node', ['--import', 'tsx', ...args]);
  writeFileSync(outFile, result.stdout);
}

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/** The npm packages esbuild put into the bundle: the node_modules inputs of its metafile's outputs. */
function bundledPackages(metafile) {
  const dirs = new Set();
  const { outputs } = JSON.parse(readFileSync(metafile, 'utf8'));
  for (const output of Object.values(outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs ?? {})) {
      if (bytesInOutput === 0 || !path.includes('node_modules/')) continue;
      const at = path.lastIndexOf('node_modules/') + 'node_modules/'.length;
      const parts = path.slice(at).split('/');
      dirs.add(path.slice(0, at) + (parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]));
    }
  }
  if (dirs.size === 0) fail(`found no npm packages in the bundle's metafile ${metafile}`);
  return [...dirs].sort().map((dir) => {
    const pkg = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
    const license = licenseOverrides[pkg.name] ?? (typeof pkg.license === 'string' ? pkg.license : undefined);
    if (!license)
      fail(
        `bundled package ${pkg.name} has no SPDX license field: read its license file and add it to licenseOverrides in ${relative(root, fileURLToPath(import.meta.url))}`,
      );
    return { dir: join(root, dir), name: pkg.name, version: pkg.version, license };
  });
}

/** Every license of the bundle must be named in rpm.spec's License tag. */
function checkLicenses(packages, spec) {
  const tag = /^License:\s*(.+)$/m.exec(spec)?.[1] ?? '';
  const declared = new Set(tag.split(/\s+(?:AND|OR)\s+|[()\s]+/).filter(Boolean));
  const missing = packages.flatMap((p) =>
    p.license
      .split(/\s+(?:AND|OR|WITH)\s+|[()\s]+/)
      .filter((id) => id && !declared.has(id))
      .map((id) => `${p.name} ${p.version} (${id})`),
  );
  if (missing.length) fail(`licenses of bundled packages missing from rpm.spec License: ${missing.join(', ')}`);
}

/**
 * One file with the license texts of the bundled packages, each distinct text once with the
 * packages it covers (identical copies would be duplicate files in the package).
 */
function writeLicenseTexts(packages, file) {
  const byText = new Map();
  const without = [];
  for (const p of packages) {
    const names = readdirSync(p.dir)
      .filter((n) => /^(licen[cs]e|copying|notice)/i.test(n) && statSync(join(p.dir, n)).isFile())
      .sort();
    if (names.length === 0) without.push(p);
    for (const name of names) {
      const text = readFileSync(join(p.dir, name), 'utf8').trim();
      byText.set(text, [...(byText.get(text) ?? []), `${p.name} ${p.version} (${p.license}, ${name})`]);
    }
  }
  const sections = [...byText].map(
    ([text, users]) => `${'='.repeat(79)}\n${users.join('\n')}\n${'='.repeat(79)}\n\n${text}\n`,
  );
  const header =
    `License texts of the ${packages.length} npm packages bundled into /usr/libexec/edge-agent.\n` +
    (without.length
      ? `Packages that ship no license file (license from their package.json): ${without.map((p) => `${p.name} ${p.version} (${p.license})`).join(', ')}.\n`
      : '');
  writeFileSync(file, `${header}\n${sections.join('\n')}`);
}

// ---------------------------------------------------------------------------------------------

const lint = !opts['no-lint'];
const runtimeArches =
  opts.runtime === 'none'
    ? []
    : opts.runtime
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean);
for (const arch of runtimeArches) {
  if (!runtimePackages[arch])
    fail(
      `--runtime ${opts.runtime}: "${arch}" is not an architecture edge-agent-runtime is built for (expected ${Object.keys(runtimePackages).join(', ')} or none)`,
    );
}
ensurePrerequisites(lint);

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
// rpm versions cannot contain "-"; "~" sorts a pre-release before its release (1.0.0~rc.1 < 1.0.0).
const version = (opts.version ?? pkg.version).replaceAll('-', '~');
const release = opts.release ?? '1';
if (!/^[A-Za-z0-9._+~^]+$/.test(version) || !/^[A-Za-z0-9._+~^]+$/.test(release))
  fail(`not a valid rpm version-release: ${version}-${release}`);
const outdir = opts.outdir ? resolve(opts.outdir) : join(root, 'dist', 'rpm');
const date = buildDate();
const spec = readFileSync(join(root, 'rpm.spec'), 'utf8');

const topdir = mkdtempSync(join(tmpdir(), 'edge-agent-rpm-'));
// On every exit, failures included (fail() exits at once).
process.on('exit', () => {
  if (opts.keep) say(`rpm: kept ${topdir}`);
  else rmSync(topdir, { recursive: true, force: true });
});
for (const dir of ['SOURCES', 'SPECS', 'BUILD', 'RPMS', 'SRPMS', 'BUILDROOT', 'TMP']) mkdirSync(join(topdir, dir));
const stage = join(topdir, 'stage', `edge-agent-${version}`);
mkdirSync(join(stage, 'generated'), { recursive: true });

// 1. The bundle, then the files generated from the source.
const metafile = join(topdir, 'bundle-meta.json');
const bundle = run('node', ['packaging/build.mjs'], {
  env: { ...process.env, EDGE_AGENT_OUTDIR: join(stage, 'dist'), EDGE_AGENT_METAFILE: metafile },
});
say(`rpm: bundle   ${bundle.stdout.trim().replace(/^built \S+ /, '')}`);
if (opts.config) cpSync(resolve(opts.config), join(stage, 'generated', 'config.yaml'));
else
  tsx(
    [
      '--input-type=module',
      '-e',
      "const { describeConfig } = await import('./agent/config/describe.ts'); process.stdout.write(describeConfig());",
    ],
    join(stage, 'generated', 'config.yaml'),
  );
tsx(
  ['packaging/man/render-man.ts', join(stage, 'dist', 'cli.js'), '--date', date.toISOString().slice(0, 10)],
  join(stage, 'generated', 'edge-agent.1'),
);
const configLines = readFileSync(join(stage, 'generated', 'config.yaml'), 'utf8').split('\n').length - 1;
say(
  `rpm: config   /etc/edge-agent/config.yaml, ${configLines} lines ${opts.config ? `from ${opts.config}` : 'generated by describeConfig()'}`,
);
say('rpm: man      edge-agent(1) generated from --help, the exit code table and greenboot/');

// 2. What the spec installs, and nothing else.
for (const file of [
  'LICENSE',
  'README.md',
  'units/edge-agent.service',
  'units/edge-agent-hub.service',
  'packaging/hub/hub.yaml',
  'packaging/rpm/edge-agent.tmpfiles',
])
  cpSync(join(root, file), join(stage, file));
const shims = walk(join(root, 'greenboot')).filter((f) => f.endsWith('.sh'));
for (const shim of shims) cpSync(shim, join(stage, relative(root, shim)));
cpSync(join(root, 'packaging', 'docs'), join(stage, 'packaging', 'docs'), { recursive: true });
say(`rpm: shims    ${shims.map((s) => relative(join(root, 'greenboot'), s)).join(', ')}`);

const packages = bundledPackages(metafile);
checkLicenses(packages, spec);
writeLicenseTexts(packages, join(stage, 'bundled-licenses.txt'));
writeFileSync(
  join(topdir, 'SOURCES', 'bundled-npm-packages.txt'),
  packages.map((p) => `${p.name} ${p.version} ${p.license}`).join('\n') + '\n',
);
const licenseIds = [...new Set(packages.map((p) => p.license))].sort();
say(`rpm: bundled  ${packages.length} npm packages (${licenseIds.join(', ')}); license texts in bundled-licenses.txt`);

// The Node.js of edge-agent-runtime, one npm tarball per architecture, verified before use.
const runtimes = runtimeArches.map((arch) => {
  try {
    const t0 = Date.now();
    const tarball = runtimeTarball(arch);
    cpSync(tarball.file, join(topdir, 'SOURCES', basename(tarball.file)));
    say(
      `rpm: runtime  ${arch}: ${tarball.spec}, sha512 as the registry publishes it (${tarball.downloaded ? 'downloaded' : 'cached'}, ${((Date.now() - t0) / 1000).toFixed(1)} s)`,
    );
    return { arch, tarball: basename(tarball.file) };
  } catch (error) {
    return fail(`edge-agent-runtime for ${arch}: ${error.message}`);
  }
});

const mtime = `@${Math.floor(date.getTime() / 1000)}`;
run('tar', [
  '--sort=name',
  '--owner=0',
  '--group=0',
  '--numeric-owner',
  `--mtime=${mtime}`,
  '-czf',
  join(topdir, 'SOURCES', `edge-agent-${version}.tar.gz`),
  '-C',
  dirname(stage),
  basename(stage),
]);
cpSync(join(root, 'rpm.spec'), join(topdir, 'SPECS', 'edge-agent.spec'));

// 3. rpmbuild: one run per architecture.
const defines = [
  ['_topdir', topdir],
  // rpmbuild writes its scriptlets to _tmppath (/var/tmp by default): keep them in the _topdir so a
  // build leaves nothing outside it.
  ['_tmppath', join(topdir, 'TMP')],
  ['agent_version', version],
  ['agent_release', release],
  ['changelog_date', changelogDate(date)],
  ...(pkg.homepage ? [['project_url', pkg.homepage]] : []),
].flatMap(([name, value]) => ['--define', `${name} ${value}`]);
const hostMacros = existsSync('/usr/lib/rpm/macros.d/macros.systemd');
const load = hostMacros ? [] : ['--load', join(root, 'packaging', 'rpm', 'macros.non-fedora')];
const passes = [
  { label: 'noarch', args: [] },
  ...runtimes.map(({ arch, tarball }) => ({
    label: `${arch} --with runtime (Node.js ${runtimeVersion})`,
    args: [
      '--with',
      'runtime',
      '--target',
      arch,
      '--define',
      `runtime_version ${runtimeVersion}`,
      '--define',
      `runtime_tarball ${tarball}`,
    ],
  })),
];
for (const pass of passes) {
  const t0 = Date.now();
  run('rpmbuild', ['-bb', '--quiet', ...defines, ...load, ...pass.args, join(topdir, 'SPECS', 'edge-agent.spec')]);
  say(
    `rpm: rpmbuild ${pass.label}: ok (${((Date.now() - t0) / 1000).toFixed(1)} s)${hostMacros ? '' : ', systemd macros from packaging/rpm/macros.non-fedora'}`,
  );
}

// 4. Results, then rpmlint.
mkdirSync(outdir, { recursive: true });
for (const old of readdirSync(outdir).filter((n) => n.startsWith('edge-agent') && n.endsWith('.rpm')))
  rmSync(join(outdir, old));
const rpms = walk(join(topdir, 'RPMS'))
  .filter((f) => f.endsWith('.rpm'))
  .map((f) => {
    const target = join(outdir, basename(f));
    cpSync(f, target);
    return target;
  });
for (const file of rpms)
  say(`rpm: wrote    ${relative(process.cwd(), file) || file}  ${(statSync(file).size / 1024).toFixed(0)} KiB`);

if (lint) {
  const result = run('rpmlint', ['-r', join(root, 'packaging', 'rpm', 'rpmlintrc'), ...rpms], { allowFailure: true });
  // Findings and the summary; not rpmlint's banner (version, configuration files).
  const lines = (result.stdout + result.stderr).split('\n').filter((l) => /: [EW]: |checked;|^Error|Traceback/.test(l));
  for (const line of lines) say(`rpm: rpmlint  ${line}`);
  if (result.status !== 0) fail(`rpmlint failed (exit ${result.status}): see the findings above`);
}
say(`rpm: done in ${((Date.now() - started) / 1000).toFixed(1)} s: edge-agent ${version}-${release}`);
