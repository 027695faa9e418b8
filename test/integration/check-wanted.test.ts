// The built-in wanted checks on a virtual edge host (`edge-agent check --class wanted`): each
// reports what an operator should fix, exits 1 when something is wrong, and never turns a boot
// red when greenboot runs them.
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BootRecord } from '../../agent/core/boot-record.js';
import type { CheckResult } from '../../agent/core/check-result.js';
import { bootEdgeDevice } from '../harness/edge-device.js';
import { installMicroShift } from '../harness/microshift/install.js';
import { scenario } from '../harness/microshift/scenario.js';
import type { VirtualDevice } from '../harness/vdev.js';

const GREENBOOT_CONF = '/etc/greenboot/greenboot.conf';
const PULL_SECRET = '/etc/crio/openshift-pull-secret';
// The host's clock sync state shows through to every device; tests that are not about it turn it off.
const quiet = { wanted: { clockSyncRequired: false } };

interface WantedRun {
  exitCode: number;
  results: CheckResult[];
  stdout: string;
}

async function runWanted(device: VirtualDevice, config: object = quiet, args = ['--dry-run']): Promise<WantedRun> {
  await device.writeFile('/etc/edge-agent/config.yaml', stringify(config));
  const result = await device.exec(['edge-agent', 'check', '--class', 'wanted', '--json', ...args]);
  try {
    return {
      exitCode: result.exitCode,
      results: (JSON.parse(result.stdout) as { results: CheckResult[] }).results,
      stdout: result.stdout,
    };
  } catch {
    throw new Error(
      `edge-agent check --class wanted exited ${result.exitCode} without JSON:\n${result.stdout}\n${result.stderr}`,
    );
  }
}

const outcomes = (run: WantedRun) =>
  Object.fromEntries(
    run.results.map((r) => [
      r.id,
      r.outcome === 'pass' || r.outcome === 'skipped' ? r.outcome : `${r.outcome}:${r.reason}`,
    ]),
  );
const resultOf = (run: WantedRun, id: string) => run.results.find((r) => r.id === id);

describe('wanted checks on an edge host with MicroShift installed', () => {
  let device: VirtualDevice;
  let originalConf: string;

  beforeAll(async () => {
    device = await bootEdgeDevice({
      name: 'wanted',
      boot: false,
      microshift: { state: 'enabled', scenario: scenario('healthy') },
    });
    originalConf = await device.readFile(GREENBOOT_CONF);
  }, 60_000);

  afterAll(async () => {
    await device?.dispose();
  });

  it('finds nothing to report on a healthy host: exit 0', async () => {
    const run = await runWanted(device);
    expect(outcomes(run)).toEqual({
      'journal-persistent': 'pass',
      'pull-secret': 'pass',
      'firewall-trusted': 'skipped',
      'lvm-free': 'skipped',
      'var-free': 'pass',
      'clock-synchronized': 'skipped',
      'registry-mirror': 'skipped',
      'greenboot-enabled': 'pass',
      'disabled-healthchecks': 'pass',
      certificates: 'skipped',
      'optional-components': 'skipped',
    });
    expect(run.exitCode).toBe(0);
    // Only wanted checks run: the MicroShift check belongs to --class required.
    expect(resultOf(run, 'microshift')).toBeUndefined();
  });

  it('reports the clock truthfully with the default config (the device has no NTP of its own)', async () => {
    const run = await runWanted(device, {});
    const clock = resultOf(run, 'clock-synchronized');
    // timedatectl answers inside the device (timedated is bus-activated), so the answer is never
    // "cannot tell"; whether the kernel clock is synchronised depends on the machine running the test.
    expect(clock?.reason).not.toBe('clock-unknown');
    if (clock?.outcome === 'pass') {
      expect(run.exitCode).toBe(0);
    } else {
      expect(clock).toMatchObject({
        outcome: 'fail',
        reason: 'clock-unsynchronized',
        message: 'system clock is not synchronised (TLS and certificates may fail)',
      });
      expect(run.exitCode).toBe(1);
    }
  });

  describe('journal persistence', () => {
    const cases: [string, string, { journalDir: boolean; dropIns: Record<string, string> }][] = [
      ['/var/log/journal present, no drop-in (Storage=auto)', 'pass', { journalDir: true, dropIns: {} }],
      ['/var/log/journal removed, no drop-in', 'fail:journal-volatile', { journalDir: false, dropIns: {} }],
      [
        '/var/log/journal removed, Storage=persistent drop-in',
        'pass',
        { journalDir: false, dropIns: { '50-persist.conf': '[Journal]\nStorage=persistent\n' } },
      ],
      [
        'Storage=volatile drop-in',
        'fail:journal-volatile',
        { journalDir: true, dropIns: { '50-volatile.conf': '[Journal]\nStorage=volatile\n' } },
      ],
      [
        'the last drop-in wins',
        'fail:journal-volatile',
        {
          journalDir: true,
          dropIns: {
            '10-persist.conf': '[Journal]\nStorage=persistent\n',
            '20-volatile.conf': '[Journal]\nStorage=volatile\n',
          },
        },
      ],
    ];
    it.each(cases)('%s: %s', async (_name, expected, setup) => {
      const dir = '/etc/systemd/journald.conf.d';
      try {
        if (!setup.journalDir) await device.sh('mv /var/log/journal /var/log/journal.away');
        for (const [name, content] of Object.entries(setup.dropIns)) await device.writeFile(`${dir}/${name}`, content);
        const run = await runWanted(device);
        expect(outcomes(run)['journal-persistent']).toBe(expected);
        expect(run.exitCode).toBe(expected === 'pass' ? 0 : 1);
        if (expected !== 'pass')
          expect(resultOf(run, 'journal-persistent')?.message).toMatch(
            /journald logs are lost at reboot \(Storage=(auto|volatile)\): run 'edge-agent journal persist'/,
          );
      } finally {
        await device.sh(
          `rm -rf ${dir}; if [ -d /var/log/journal.away ]; then mv /var/log/journal.away /var/log/journal; fi`,
        );
      }
    });
  });

  describe('pull secret', () => {
    it.each([
      [
        'right: root:root 0600',
        '',
        'pass',
        `pull secret ${PULL_SECRET} present, root:root 0600, valid JSON with "auths"`,
      ],
      [
        'readable by everyone',
        `chmod 0644 ${PULL_SECRET}`,
        'fail:pull-secret-permissions',
        `pull secret ${PULL_SECRET}: mode 0644 (want 0600)`,
      ],
      [
        'owned by a user',
        `chown 1000:1000 ${PULL_SECRET}`,
        'fail:pull-secret-permissions',
        `pull secret ${PULL_SECRET}: owner 1000:1000 (want root:root)`,
      ],
      [
        'missing',
        `mv ${PULL_SECRET} ${PULL_SECRET}.away`,
        'fail:pull-secret-missing',
        `pull secret ${PULL_SECRET} is missing: image pulls from registries that need it will fail`,
      ],
    ])('%s', async (_name, change, expected, message) => {
      try {
        if (change) await device.sh(change);
        const run = await runWanted(device);
        expect(outcomes(run)['pull-secret']).toBe(expected);
        expect(resultOf(run, 'pull-secret')?.message).toBe(message);
        expect(run.exitCode).toBe(expected === 'pass' ? 0 : 1);
      } finally {
        await device.sh(
          `if [ -e ${PULL_SECRET}.away ]; then mv ${PULL_SECRET}.away ${PULL_SECRET}; fi; chown 0:0 ${PULL_SECRET}; chmod 0600 ${PULL_SECRET}`,
        );
      }
    });
  });

  it('warns when /var has less free space than configured', async () => {
    const run = await runWanted(device, { wanted: { clockSyncRequired: false, varMinFreeMiB: 999_999_999 } });
    expect(outcomes(run)['var-free']).toBe('fail:var-low');
    expect(resultOf(run, 'var-free')?.message).toMatch(/^\/var has \d+ MiB free, below 999999999 MiB$/);
    expect(run.exitCode).toBe(1);
  });

  it.each([
    [
      'a script that does not exist',
      '"40_microshift_running_check.sh" "35_edge_agent_wanted.sh"',
      'fail:disabled-unknown',
      'DISABLED_HEALTHCHECKS names no script: 40_microshift_running_check.sh',
    ],
    [
      'an installed script',
      '"35_edge_agent_wanted.sh"',
      'pass',
      'DISABLED_HEALTHCHECKS disables 35_edge_agent_wanted.sh',
    ],
  ])('DISABLED_HEALTHCHECKS naming %s', async (_name, list, expected, message) => {
    try {
      await device.writeFile(GREENBOOT_CONF, `${originalConf}DISABLED_HEALTHCHECKS=( ${list} )\n`);
      const run = await runWanted(device);
      expect(outcomes(run)['disabled-healthchecks']).toBe(expected);
      expect(resultOf(run, 'disabled-healthchecks')?.message).toBe(message);
    } finally {
      await device.writeFile(GREENBOOT_CONF, originalConf);
    }
  });

  it('records the wanted run (and only it) in this boot record without --dry-run', async () => {
    const run = await runWanted(device, { wanted: { clockSyncRequired: false, varMinFreeMiB: 999_999_999 } }, []);
    expect(run.exitCode).toBe(1);
    const record = JSON.parse(
      await device.readFile(`/var/lib/edge-agent/boots/${device.bootId.replaceAll('-', '')}.json`),
    ) as BootRecord;
    expect(record.checks.required).toBeUndefined();
    expect(record.checks.wanted).toMatchObject({ verdict: 'fail' });
    expect(record.checks.wanted?.results.find((r) => r.id === 'var-free')).toMatchObject({
      outcome: 'fail',
      reason: 'var-low',
    });
  });

  it('warns when greenboot-healthcheck.service is not enabled', async () => {
    try {
      await device.sh('systemctl disable --quiet greenboot-healthcheck.service');
      const run = await runWanted(device);
      expect(outcomes(run)['greenboot-enabled']).toBe('fail:greenboot-disabled');
      expect(resultOf(run, 'greenboot-enabled')?.message).toBe(
        'greenboot-healthcheck.service is not enabled: boots are not checked and bad updates are not rolled back',
      );
      expect(run.exitCode).toBe(1);
    } finally {
      await device.sh('systemctl enable --quiet greenboot-healthcheck.service');
    }
    expect(outcomes(await runWanted(device))['greenboot-enabled']).toBe('pass');
  });

  it('skips the pull secret when MicroShift is not installed', async () => {
    await installMicroShift(device, { scenario: scenario('healthy'), state: 'absent' });
    const run = await runWanted(device);
    expect(resultOf(run, 'pull-secret')).toMatchObject({ outcome: 'skipped', reason: 'microshift-absent' });
    expect(run.exitCode).toBe(0);
  });
});

describe('wanted checks under greenboot', () => {
  let device: VirtualDevice | undefined;

  afterAll(async () => {
    await device?.dispose();
  });

  it('a failing wanted check is reported, but the boot is green', async () => {
    device = await bootEdgeDevice({ name: 'wanted-gb', config: stringify({ wanted: { varMinFreeMiB: 999_999_999 } }) });
    // greenboot's own lines, from the check and from the green task runner after it.
    const greenboot = await device.journalMessages({ identifier: 'greenboot' });
    expect(greenboot.filter((m) => m.startsWith('Script ') || m.startsWith('Boot Status'))).toEqual([
      "Script '35_edge_agent_required.sh' SUCCESS",
      "Script '35_edge_agent_wanted.sh' FAILURE (exit code '1'). Continuing...",
      'Boot Status is GREEN - Health Check SUCCESS',
      "Script '35_edge_agent_green.sh' SUCCESS",
    ]);
    const record = JSON.parse(
      await device.readFile(`/var/lib/edge-agent/boots/${device.bootId.replaceAll('-', '')}.json`),
    ) as BootRecord;
    expect(record.checks.required?.verdict).toBe('pass');
    expect(record.checks.wanted?.verdict).toBe('fail');
    const warning = await device.journal({ matches: ['EDGE_AGENT_CHECK=var-free'] });
    expect(warning.map((e) => [e.PRIORITY, e.MESSAGE])).toEqual([
      [
        '4',
        expect.stringMatching(
          /^Check 'var-free' \(wanted\) FAILURE in \d+ms: \/var has \d+ MiB free, below 999999999 MiB$/,
        ),
      ],
    ]);
  });
});
