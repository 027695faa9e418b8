// `edge-agent status` through a Host of fakes: no daemon to ask, so it gathers in-process from the
// fake root's files, the fake systemd and scripted rpm-ostree, and exits by the boot's state.
// (What each source reads and its limits: test/unit/core/status-probes.test.ts; the rendering:
// the status goldens.)
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../agent/commands/status/status.js';
import { FakeExec } from '../../fakes/exec.js';
import { aUnit, FakeSystemd } from '../../fakes/systemd.js';
import { putFile, runMain } from '../../fakes/command.js';
import { fakeHost, type FakeHost } from '../../fakes/host.js';

const BOOT_ID = '3f2a9c1e-4b5d-4e6f-8a9b-0c1d2e3f4a5b';
const ID = BOOT_ID.replaceAll('-', '');
const fixture = join(import.meta.dirname, '..', '..', 'fixtures', 'rpm-ostree', 'commit-booted.json');

function grubenv(vars: Record<string, string>): string {
  const body = `# GRUB Environment Block\n${Object.entries(vars)
    .map(([k, v]) => `${k}=${v}\n`)
    .join('')}`;
  return body.padEnd(1024, '#');
}

let host: FakeHost;
beforeEach(async () => {
  const exec = new FakeExec()
    .on('rpm-ostree status --json', { stdout: await readFile(fixture, 'utf8') })
    .on('journalctl', { exitCode: 1 });
  const systemd = new FakeSystemd([
    aUnit('greenboot-healthcheck.service', { activeState: 'active', subState: 'exited' }),
    aUnit('boot-complete.target', { activeState: 'active', subState: 'active', unitFileState: 'static' }),
    aUnit('redboot.target', { unitFileState: 'static' }),
    aUnit('edge-agent.service', { activeState: 'inactive', subState: 'dead' }),
    aUnit('microshift.service', { loadState: 'not-found', unitFileState: '' }),
  ]);
  // EDGE_AGENT_STATUS_DAEMON=0: gather here, never look for a daemon socket.
  host = fakeHost({
    root: await mkdtemp(join(tmpdir(), 'status-cmd-')),
    exec,
    systemd,
    env: { EDGE_AGENT_STATUS_DAEMON: '0', NO_COLOR: '1' },
  });
  await putFile(host, '/proc/sys/kernel/random/boot_id', `${BOOT_ID}\n`);
  await putFile(host, '/proc/uptime', '1805.21 3000.00\n');
  await putFile(host, '/etc/machine-id', '8c0f1e2d3c4b5a69788796a5b4c3d2e1\n');
  await putFile(host, '/etc/os-release', 'NAME="Red Hat Enterprise Linux"\nVERSION_ID="9.4"\n');
  await putFile(host, '/run/ostree-booted', '');
  await putFile(host, '/usr/lib/systemd/system/greenboot-healthcheck.service', '[Unit]\n');
  await putFile(host, '/usr/lib/systemd/system/greenboot-grub2-set-counter.service', '[Unit]\n');
});
afterEach(async () => rm(host.root, { recursive: true, force: true }));

describe('status', () => {
  it('a boot that passed its checks: GREEN, exit 0, as text and as JSON, writing nothing', async () => {
    await putFile(host, '/boot/grub2/grubenv', grubenv({ boot_success: '1' }));
    await (
      await host.records()
    ).update(ID, (r) => {
      const at = '2024-06-01T00:00:00.000Z';
      const result = {
        id: 'microshift',
        class: 'required' as const,
        outcome: 'pass' as const,
        reason: 'ok',
        message: 'MicroShift is ready',
      };
      r.checks.required = {
        startedAt: at,
        endedAt: at,
        verdict: 'pass',
        results: [{ ...result, startedAt: at, endedAt: at, durationMs: 900 }],
      };
      r.verdict = 'green';
    });
    const before = await readdir(host.root, { recursive: true });
    const text = await runMain(main, host);
    expect(text.code).toBe(0);
    expect(text.out.split('\n')[0]).toMatch(/^● GREEN: /);
    const json = await runMain(main, host, { flags: { json: true } });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toMatchObject({ state: 'green', boot: { verdict: 'green' } });
    // status only reads: not even this boot's record or a cache appears.
    expect(await readdir(host.root, { recursive: true })).toEqual(before);
  });

  it('a boot whose record says red: RED with the failing check, exit 1', async () => {
    await putFile(host, '/boot/grub2/grubenv', grubenv({ boot_counter: '2' }));
    await (
      await host.records()
    ).update(ID, (r) => {
      r.verdict = 'red';
      r.firstFailure = { id: 'microshift', reason: 'crash-loop', message: 'microshift.service is crash-looping' };
    });
    host.fakeSystemd.setUnit('greenboot-healthcheck.service', { activeState: 'failed', subState: 'failed' });
    const json = await runMain(main, host, { flags: { json: true } });
    expect(json.code).toBe(1);
    const result = JSON.parse(json.out) as { state: string; summary: string };
    expect(result.state).toBe('red');
    expect(result.summary).toMatch(
      /^RED: .* failed check 'microshift': microshift\.service is crash-looping, attempt 1 of 3$/,
    );
  });

  it('refuses --interval without --watch, and an interval out of range, naming the flag', async () => {
    await expect(runMain(main, host, { flags: { interval: '5' } })).rejects.toMatchObject({
      code: 'usage',
      message: '--interval only goes with --watch',
    });
    await expect(runMain(main, host, { flags: { watch: true, interval: '0.1' } })).rejects.toMatchObject({
      code: 'usage',
      message: "--interval must be a number of seconds from 0.5 to 3600 (got '0.1')",
    });
  });
});
