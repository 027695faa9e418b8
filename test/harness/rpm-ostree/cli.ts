// `rpm-ostree` inside a virtual device (simulated by the edge-agent test harness). Bundled by
// build.ts into build/harness/rpm-ostree.mjs; /usr/bin/rpm-ostree in the device execs it.
//
// Simulates: `status [--json] [-b|--booted]`, `upgrade [--check] [-r|--reboot]`,
// `rollback [-r|--reboot]`, `--version`, on a state file in /var (shared by all deployments, so it
// survives "reboots" and rollbacks like ostree's own metadata does), the BLS entries of bls.ts
// and the deployment checkouts of deployment-tree.ts kept in step with every change, and, as
// /usr/bin/ostree, `ostree admin status`. Staging writes
// /run/ostree/staged-deployment and starts ostree-finalize-staged.service at once, as ostree
// does, so what is bound to that unit (bash greenboot's set-counter) runs at staging time; the
// finalization itself (the unit's stop at shutdown) is done by the harness between boots, as is
// GRUB's choice of what boots next. Leaves out: the daemon and D-Bus API, transactions,
// downloads, package layering commands, polkit, `--unchanged-exit-77`.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { renderOstreeAdminStatus, writeBlsEntries } from './bls.js';
import { writeDeploymentDirs } from './deployment-tree.js';
import { spawnSync } from 'node:child_process';
import { rollback, stage, stateFileInside, type SimState } from './state.js';
import { formatJsonGlib, renderStatusText, toStatusJson } from './status.js';

const stateFile = process.env.RPM_OSTREE_SIM_STATE ?? stateFileInside;

function load(): SimState {
  if (!existsSync(stateFile)) {
    // What the real tool says on a host that is not ostree-booted.
    console.error('error: This system was not booted via libostree');
    process.exit(1);
  }
  return JSON.parse(readFileSync(stateFile, 'utf8')) as SimState;
}

function save(state: SimState): void {
  const temp = `${stateFile}.tmp-${process.pid}`;
  writeFileSync(temp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(temp, stateFile);
  if (process.env.RPM_OSTREE_SIM_STATE) return;
  writeBlsEntries('/', state);
  writeDeploymentDirs('/', state);
}

/** What ostree does when it stages: mark it in /run and start the finalize unit (bash greenboot's counter hangs off it). */
function announceStaged(id: string): void {
  if (process.env.RPM_OSTREE_SIM_STATE) return;
  mkdirSync('/run/ostree', { recursive: true });
  writeFileSync('/run/ostree/staged-deployment', `${JSON.stringify({ id })}\n`);
  const unit = spawnSync('systemctl', ['start', 'ostree-finalize-staged.service'], { stdio: 'inherit' });
  if (unit.status !== 0) console.error('error: starting ostree-finalize-staged.service failed');
}

function reboot(): number {
  return spawnSync('systemctl', ['reboot'], { stdio: 'inherit' }).status ?? 1;
}

function main(argv: string[]): number {
  if (argv[0] === '--as-ostree') return ostree(argv.slice(1));
  const [command, ...rest] = argv;
  const flags = new Set(rest);
  const wantsReboot = flags.has('-r') || flags.has('--reboot');
  switch (command) {
    case 'status': {
      const bootedOnly = flags.has('-b') || flags.has('--booted');
      const state = load();
      process.stdout.write(
        flags.has('--json')
          ? `${formatJsonGlib(toStatusJson(state, { bootedOnly }))}\n`
          : renderStatusText(state, { bootedOnly }),
      );
      return 0;
    }
    case 'upgrade': {
      const state = load();
      if (flags.has('--check') || flags.has('--preview')) {
        const update = state.available;
        if (!update || state.deployments[0]?.checksum === update.checksum) {
          console.log('No updates available.');
          return 77; // the real tool's "no update" code for --check
        }
        console.log(`AvailableUpdate:\n        Version: ${update.version}\n         Commit: ${update.checksum}`);
        return 0;
      }
      const result = stage(state);
      if (!result.staged) {
        console.log('No upgrade available.');
        return 0;
      }
      save(result.state);
      announceStaged(result.staged.id);
      console.log('Staging deployment... done');
      console.log(`Upgraded to ${result.staged.version} (${result.staged.checksum})`);
      if (wantsReboot) return reboot();
      console.log('Run "systemctl reboot" to start a reboot');
      return 0;
    }
    case 'rollback': {
      try {
        const { state, moved } = rollback(load());
        save(state);
        console.log(`Moving '${moved.checksum}.${moved.serial}' to be first deployment`);
        console.log('Transaction complete; bootconfig swap: yes; deployment count change: 0');
      } catch (error) {
        console.error(`error: ${(error as Error).message}`);
        return 1;
      }
      if (wantsReboot) return reboot();
      console.log('Run "systemctl reboot" to start a reboot');
      return 0;
    }
    case '--version':
      console.log("rpm-ostree:\n Version: '2024.3'\n Simulated: 'edge-agent test harness'");
      return 0;
    case undefined:
      console.error(
        'Usage:\n  rpm-ostree [OPTION...] COMMAND\n\nBuiltin Commands (simulated):\n  status\n  upgrade\n  rollback',
      );
      return 1;
    default:
      console.error(`error: Unknown command '${command}'`);
      return 1;
  }
}

function ostree(argv: string[]): number {
  if (argv[0] === 'admin' && argv[1] === 'status') {
    process.stdout.write(renderOstreeAdminStatus(load()));
    return 0;
  }
  console.error(`error: ostree ${argv.join(' ')}: not simulated (only "ostree admin status" is)`);
  return 1;
}

process.exitCode = main(process.argv.slice(2));
