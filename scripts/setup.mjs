// Installs what `npm test` and `npm run demo` need on a fresh Debian machine, quickly when it is
// already there: Debian packages via apt-get (root only), then npm packages. Plain Node with no
// dependencies, because it runs before node_modules exists.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const purpose = process.argv.includes('--for') ? process.argv[process.argv.indexOf('--for') + 1] : 'test';

// Debian package -> the command or file that shows it is installed.
const debs = {
  'grub-common': '/usr/bin/grub-editenv', // real grub-editenv for grubenv files
  rpm: '/usr/bin/rpmbuild', // rpmbuild and rpm for the package
  rpmlint: '/usr/bin/rpmlint',
  'createrepo-c': '/usr/bin/createrepo_c', // repositories for the depsolve test
  dnf: '/usr/bin/dnf', // the real depsolver (dnf on libsolv) for the blueprints
  mosquitto: '/usr/sbin/mosquitto', // the real MQTT broker for hub tests
  'mosquitto-clients': '/usr/bin/mosquitto_sub',
  chromium: '/usr/bin/chromium', // headless browser for the hub dashboard tests
  systemd: '/lib/systemd/systemd', // PID 1 of the virtual edge device
  dbus: '/usr/bin/dbus-daemon',
  'util-linux': '/usr/bin/unshare',
  openssl: '/usr/bin/openssl', // test certificates
  unzip: '/usr/bin/unzip', // unpacks the real kubectl 1.28 the MicroShift simulator's tests run
  iproute2: '/usr/sbin/ip',
  procps: '/usr/bin/pgrep',
  python3: '/usr/bin/python3', // HTTP(S) endpoints for declared-check tests
  zsh: '/usr/bin/zsh', // the generated zsh and fish completion, run in the real shells
  fish: '/usr/bin/fish',
};

function fail(message) {
  process.stderr.write(`\nsetup: ${message}\n`);
  process.exit(1);
}

function missingDebs() {
  const missing = Object.entries(debs)
    .filter(([, probe]) => !existsSync(probe))
    .map(([name]) => name);
  // Any kubectl will do for the benchmark's reference poller; Debian's is kubernetes-client.
  if (!existsSync('/usr/bin/kubectl')) missing.push('kubernetes-client');
  // A real PostgreSQL server for the hub service's store tests (initdb per test). Probed by its
  // versioned initdb: psql or pg_config alone can come from client packages without a server.
  const pgRoot = '/usr/lib/postgresql';
  const hasServer = existsSync(pgRoot) && readdirSync(pgRoot).some((v) => existsSync(join(pgRoot, v, 'bin', 'initdb')));
  if (!hasServer) missing.push('postgresql');
  return missing;
}

function installDebs() {
  const missing = missingDebs();
  if (missing.length === 0) return;
  const isRoot = process.getuid?.() === 0;
  const hasApt = existsSync('/usr/bin/apt-get');
  if (!isRoot || !hasApt) {
    fail(
      `these system packages are missing: ${missing.join(' ')}.\n` +
        (hasApt
          ? `Run as root (sudo npm ${purpose === 'demo' ? 'run demo' : 'test'}), or install them: sudo apt-get install -y ${missing.join(' ')}\n`
          : `This machine has no apt-get. Install the equivalents with your package manager (on Fedora/RHEL: grub2-tools rpm-build rpmlint mosquitto systemd-devel openssl iproute), then run again.\n`),
    );
  }
  process.stdout.write(`setup: installing ${missing.join(' ')} with apt-get\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  if (update.status !== 0) fail('apt-get update failed: check the network or the apt sources');
  const install = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
    stdio: 'inherit',
    env,
  });
  if (install.status !== 0) fail(`apt-get install ${missing.join(' ')} failed`);
}

function npmInstall() {
  const lock = join(root, 'package-lock.json');
  const stamp = join(root, 'node_modules', '.package-lock.json');
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= statSync(lock).mtimeMs) return;
  process.stdout.write('setup: installing npm packages (npm ci)\n');
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) fail('npm ci failed: see the messages above');
}

function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  // Only these scripts run on the machine's own Node; the tests, the demo and the product run on
  // the supported lines (22 and 24), which scripts/node-runtimes.mjs fetches.
  if (major < 20 || (major === 20 && minor < 19))
    fail(
      `Node ${process.versions.node} is too old to run the project's scripts: install Node >= 20.19 (edge-agent itself runs on Node 22 or 24)`,
    );
}

checkNode();
if (process.platform !== 'linux') fail('edge-agent and its tests need Linux (systemd, namespaces, journald)');
installDebs();
npmInstall();
