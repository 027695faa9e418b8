// One tick of the daemon (`edge-agent run`) through a Host of fakes: its start opens this boot's
// record, and the state file and the MOTD line say what the record says.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDaemonTasks } from '../../../agent/commands/run/daemon-tasks.js';
import { ConfigSchema } from '../../../agent/config/schema.js';
import { DAEMON_STATE_PATH } from '../../../agent/core/daemon-state.js';
import { createLogger } from '../../../agent/host/log.js';
import { MOTD_PATH } from '../../../agent/host/motd.js';
import { aBoot } from '../../fakes/command.js';
import { fakeHost, type FakeHost } from '../../fakes/host.js';
import { aUnit, FakeSystemd } from '../../fakes/systemd.js';

const BOOT = 'abcdefabcdefabcdefabcdefabcdef00';
let host: FakeHost;
beforeEach(async () => {
  // greenboot is running its checks: the one boot verdict says "checking" until a verdict is recorded.
  const systemd = new FakeSystemd([aUnit('greenboot-healthcheck.service', { activeState: 'activating' })]);
  host = fakeHost({ root: await mkdtemp(join(tmpdir(), 'run-')), systemd });
  await aBoot(host, BOOT);
});
afterEach(async () => {
  await host.close();
  await rm(host.root, { recursive: true, force: true });
});

async function tasks() {
  const config = ConfigSchema.parse({ journal: { ensurePersistent: false } });
  return createDaemonTasks({
    host,
    config,
    log: createLogger({ write: () => undefined }),
    signal: new AbortController().signal,
    out: () => undefined,
    records: await host.records(),
    cliPath: '',
  });
}

describe('run, one tick', () => {
  it("opens this boot's record at start and writes the state file and the MOTD from it", async () => {
    const daemon = await tasks();
    await daemon.boot();
    expect(await (await host.records()).read(BOOT)).toMatchObject({ bootId: BOOT });
    const state = JSON.parse(await readFile(join(host.root, DAEMON_STATE_PATH), 'utf8')) as Record<string, unknown>;
    expect(state).toMatchObject({ schema: 1, pid: process.pid, hub: { configured: false, queued: 0 } });
    expect(daemon.statusLine()).toBe('boot checking, no hub configured');

    // A verdict written by `boot green` is what the next report shows.
    await (await host.records()).update(BOOT, (r) => void (r.verdict = 'green'));
    await daemon.report();
    expect(daemon.statusLine()).toBe('boot green, no hub configured');
    expect(await readFile(join(host.root, MOTD_PATH), 'utf8')).toMatch(/green/i);
  });
});
