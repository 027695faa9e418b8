// `rpm-ostree` inside a virtual device (simulated by the edge-agent test harness). Bundled by
// build.ts into build/harness/rpm-ostree.mjs; /usr/bin/rpm-ostree in the device execs it.
//
// Simulates: `status [--json] [-b|--booted]`, `upgrade [--check] [-r|--reboot]`,
// `rollback [-r|--reboot]`, `--version`, on a state file in /var (shared by all deployments, so it
// survives "reboots" and rollbacks like ostree's own metadata does). What boots next is decided
// by the harness between boots (ostree-finalize-staged, GRUB), not here. Leaves out: the daemon
// and D-Bus API, transactions, downloads, package layering commands, polkit, `--unchanged-exit-77`.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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
}

function reboot(): number {
  return spawnSync('systemctl', ['reboot'], { stdio: 'inherit' }).status ?? 1;
}

function main(argv: string[]): number {
  const [command, ...rest] = argv;
  const flags = new Set(rest);
  const wantsReboot = flags.has('-r') || flags.has('--reboot');
  switch (command) {
    case 'status': {
      const bootedOnly = flags.has('-b') || flags.has('--booted');
      const state = load();
      process.stdout.write(flags.has('--json') ? `${formatJsonGlib(toStatusJson(state, { bootedOnly }))}\n` : renderStatusText(state, { bootedOnly }));
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
      console.error('Usage:\n  rpm-ostree [OPTION...] COMMAND\n\nBuiltin Commands (simulated):\n  status\n  upgrade\n  rollback');
      return 1;
    default:
      console.error(`error: Unknown command '${command}'`);
      return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
