// The harness's reading of a boot's greenboot journal, fed the lines bash greenboot 0.15.9
// writes (as journald stores them: level prefixes stripped into PRIORITY, greenboot's own lines
// under the identifier `greenboot`, each script's output under its file name).
import { describe, expect, it } from 'vitest';
import { summarizeGreenbootJournal } from '../harness/greenboot/journal-summary.js';
import type { JournalEntry } from '../harness/vdev.js';

const hc = 'greenboot-healthcheck.service';
const line = (unit: string, identifier: string, message: string, priority = '6'): JournalEntry => ({
  MESSAGE: message,
  PRIORITY: priority,
  SYSLOG_IDENTIFIER: identifier,
  _SYSTEMD_UNIT: unit,
  _TRANSPORT: 'stdout',
  _BOOT_ID: 'b',
});
const gb = (unit: string, message: string, priority = '6') => line(unit, 'greenboot', message, priority);

describe('greenboot journal summary', () => {
  it('an offline device: the DNS check fails under /usr/lib, the check ends, red.d runs', () => {
    const run = summarizeGreenbootJournal([
      gb(hc, 'Running Required Health Check Scripts...'),
      line(hc, '00_required_scripts_start.sh', 'Running greenboot Required Health Check Scripts'),
      gb(hc, "Script '00_required_scripts_start.sh' SUCCESS"),
      line(hc, '01_repository_dns_check.sh', 'DNS resolution failed for edge.example.com', '3'),
      gb(hc, "Script '01_repository_dns_check.sh' FAILURE (exit code '1'). Continuing...", '0'),
      gb(hc, "'02_watchdog.sh' was skipped due to a previous failure", '5'),
      gb('redboot-task-runner.service', 'Boot Status is RED - Health Check FAILURE!', '0'),
      gb('redboot-task-runner.service', 'Running Red Scripts...'),
      gb('redboot-task-runner.service', 'Running Red Scripts...'),
      line('redboot-task-runner.service', '40_microshift_pre_rollback.sh', 'not the last attempt'),
      gb('redboot-task-runner.service', "Script '40_microshift_pre_rollback.sh' SUCCESS"),
      line(
        'redboot-auto-reboot.service',
        'redboot-auto-reboot',
        'SYSTEM is UNHEALTHY, but boot_counter is unset in grubenv. Manual intervention necessary.',
      ),
    ]);
    expect(run).toMatchObject({ ran: true, verdict: 'red', manualIntervention: true });
    expect(run.scripts.map((s) => [s.kind, `${s.dir}/${s.name}`, s.outcome, s.exitCode])).toEqual([
      ['required', '/usr/lib/greenboot/check/required.d/00_required_scripts_start.sh', 'success', 0],
      ['required', '/usr/lib/greenboot/check/required.d/01_repository_dns_check.sh', 'failure', 1],
      ['required', '/usr/lib/greenboot/check/required.d/02_watchdog.sh', 'skipped', undefined],
      ['red', '/etc/greenboot/red.d/40_microshift_pre_rollback.sh', 'success', 0],
    ]);
    expect(run.scripts[1]?.output).toEqual(['DNS resolution failed for edge.example.com']);
  });

  it('a green boot: disabled and failing wanted scripts, both prefixes, verdict from the green runner', () => {
    const run = summarizeGreenbootJournal([
      gb(hc, 'Running Required Health Check Scripts...'),
      gb(hc, "'01_repository_dns_check.sh' was skipped, as specified in config", '5'),
      gb(hc, 'Running Wanted Health Check Scripts...'),
      gb(hc, "Script '01_update_platforms_check.sh' FAILURE (exit code '1'). Continuing...", '2'),
      gb(hc, 'Running Required Health Check Scripts...'),
      gb(hc, "Script '40_microshift_running_check.sh' SUCCESS"),
      gb(hc, 'Running Wanted Health Check Scripts...'),
      gb('greenboot-task-runner.service', 'Boot Status is GREEN - Health Check SUCCESS', '5'),
    ]);
    expect(run.verdict).toBe('green');
    expect(run.scripts.map((s) => `${s.kind} ${s.dir}/${s.name} ${s.outcome}`)).toEqual([
      'required /usr/lib/greenboot/check/required.d/01_repository_dns_check.sh disabled',
      'wanted /usr/lib/greenboot/check/wanted.d/01_update_platforms_check.sh failure',
      'required /etc/greenboot/check/required.d/40_microshift_running_check.sh success',
    ]);
  });

  it('a boot cut short before red.d: red from the failing required script; garbage lines are only logged', () => {
    const run = summarizeGreenbootJournal([
      gb(hc, 'Running Required Health Check Scripts...'),
      gb(hc, "Script '' SUCCESS"),
      gb(hc, "Script 'x.sh' FAILURE (exit code 'many')"),
      gb(hc, '\u0000\u001b[31mnot greenboot at all'),
      gb(hc, "Script 'odd name's.sh' FAILURE (exit code '2'). Continuing...", '0'),
    ]);
    expect(run.verdict).toBe('red');
    expect(run.scripts.map((s) => [s.name, s.outcome, s.exitCode])).toEqual([["odd name's.sh", 'failure', 2]]);
    expect(run.log).toHaveLength(5);
  });

  it('no greenboot lines at all: it did not run, verdict none', () => {
    expect(summarizeGreenbootJournal([line('sshd.service', 'sshd', 'Accepted publickey')])).toMatchObject({
      ran: false,
      verdict: 'none',
      scripts: [],
    });
  });
});
