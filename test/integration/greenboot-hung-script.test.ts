// A customer's required greenboot script that never ends, on a virtual edge host running the bash
// greenboot stand-in (which, like greenboot 0.15.x, has no limit per script): while
// greenboot-healthcheck.service is still starting, `status` names the script and how long it has
// run, both gathered in the process and answered by the daemon, in text and JSON.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusResult } from '../../agent/core/status/schema.js';
import { bootEdgeDevice } from '../harness/edge-device.js';
import { writeGreenbootScript } from '../harness/greenboot/boot-cycle.js';
import { scenario } from '../harness/microshift/scenario.js';
import type { VirtualDevice } from '../harness/vdev.js';

const SCRIPT = '50_vendor_check.sh';
let d: VirtualDevice;

async function until<T>(what: string, look: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 90_000) {
  const end = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < end) {
    last = await look().catch(() => undefined);
    if (last !== undefined && done(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${what}: not seen within ${timeoutMs} ms; last: ${JSON.stringify(last)?.slice(0, 2000)}`);
}

const status = async (env: Record<string, string> = {}) => {
  const json = JSON.parse((await d.exec(['edge-agent', 'status', '--json'], { env })).stdout) as StatusResult;
  return json;
};

beforeAll(async () => {
  d = await bootEdgeDevice({
    name: 'gb-hung',
    deployments: [{ version: '9.4.0' }],
    microshift: scenario('healthy'),
    config: 'microshift:\n  waitTimeoutSec: 60\n',
    boot: false,
  });
  await writeGreenbootScript(d, 'check/required.d', SCRIPT, 'echo "waiting for the vendor service"\nsleep infinity');
  await d.reboot();
}, 180_000);

afterAll(async () => {
  await d?.dispose();
});

describe('a required greenboot script that hangs', () => {
  it('is named in status while it runs, with a time that grows, in the process and from the daemon', async () => {
    const own = { EDGE_AGENT_STATUS_DAEMON: '0' };
    const first = await until(
      'status naming the script',
      () => status(own),
      (s) => s.boot.running !== undefined,
    );
    expect(first.boot.verdict).toBe('checking');
    expect(first.boot.healthcheck?.activeState).toBe('activating');
    expect(first.boot.running).toMatchObject({
      script: SCRIPT,
      kind: 'required',
      dir: '/etc/greenboot/check/required.d',
    });
    expect(first.boot.running?.message).toMatch(
      new RegExp(
        `^greenboot: running ${SCRIPT.replace('.', '\\.')} for \\d+ (s|min \\d+ s); greenboot has no limit per script`,
      ),
    );
    // Still the same script, longer: greenboot never gives up on it.
    const later = await until(
      'a later look',
      () => status(own),
      (s) => (s.boot.running?.runningSec ?? -1) >= (first.boot.running?.runningSec ?? 0) + 2,
    );
    expect(later.boot.running?.script).toBe(SCRIPT);
    expect(later.boot.running?.since).toBeDefined();
    // The daemon's answer (it gathers the same facts in its own process). The device does not
    // enable the daemon: started here, beside the hung check, as on a device it starts in parallel.
    const start = await d.exec(['systemctl', 'start', 'edge-agent.service']);
    expect(start.exitCode, start.stderr).toBe(0);
    const fromDaemon = await until(
      "the daemon's answer",
      () => status(),
      (s) => s.agent.daemon.answered === true && s.boot.running !== undefined,
    );
    expect(fromDaemon.boot.running?.script).toBe(SCRIPT);
    const text = (await d.exec(['edge-agent', 'status'])).stdout;
    expect(text).toMatch(new RegExp(`Running: greenboot: running ${SCRIPT.replace('.', '\\.')} for`));
  }, 240_000);
});
