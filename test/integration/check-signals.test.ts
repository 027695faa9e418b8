// SIGTERM while `edge-agent check` waits for MicroShift (a shutdown during the boot check, or an
// operator's Ctrl-C): the check stops within moments, exits 143, says why in one line, and the
// boot record shows the MicroShift check as terminated rather than failed or passed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BootRecord } from '../../agent/core/boot-record.js';
import { bootEdgeDevice } from '../harness/edge-device.js';
import { scenario } from '../harness/microshift/scenario.js';
import type { VirtualDevice } from '../harness/vdev.js';

let device: VirtualDevice;

beforeAll(async () => {
  // boot: false keeps greenboot from running the check at boot: this test starts it by hand.
  device = await bootEdgeDevice({
    name: 'signals',
    network: true,
    boot: false,
    microshift: scenario('api-never-ready'),
    config: 'microshift:\n  waitTimeoutSec: 60\n',
  });
  await device.sh('systemctl start microshift.service');
}, 180_000);

afterAll(async () => {
  await device?.dispose();
});

/** Resolves once `text` shows up in what the stream has produced so far. */
function waitForOutput(stream: NodeJS.ReadableStream, text: string, timeoutMs: number): Promise<string> {
  let seen = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`'${text}' not seen within ${timeoutMs} ms; got:\n${seen}`)),
      timeoutMs,
    );
    stream.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(text)) {
        clearTimeout(timer);
        resolve(seen);
      }
    });
  });
}

describe('edge-agent check and SIGTERM', () => {
  it('stops waiting for MicroShift at once: exit 143, one line why, recorded as terminated', async () => {
    const spawnedAt = Date.now();
    const check = device.spawn(['edge-agent', 'check', '--class', 'required']);
    if (!check.stderr) throw new Error('no stderr pipe');
    // The unit is active, the API never gets ready: the check is in its long API wait.
    // Generous: on a busy machine starting Node and the Kubernetes client alone can take seconds.
    await waitForOutput(check.stderr, 'for the MicroShift API (readyz, livez) to be healthy', 60_000);
    // Let it wait a while, so the record's duration below has something to show.
    await new Promise((resolve) => setTimeout(resolve, 2000));

    const killed = await device.exec(['pkill', '-TERM', '-f', 'edge-agent.cjs check --class required']);
    expect(killed.exitCode).toBe(0);
    const signalledAt = Date.now();
    const result = await check;
    const stoppedWithinMs = Date.now() - signalledAt;

    expect(result.exitCode).toBe(143);
    // "At once" against the 60 s budget it would otherwise wait out; the bound leaves room for a
    // busy machine (Node's exit and nsenter's return are scheduled like anything else).
    expect(stoppedWithinMs).toBeLessThan(15_000);
    const stderr = String(result.stderr);
    const reasons = stderr.split('\n').filter((line) => /SIGTERM|terminated/i.test(line));
    expect(reasons).toEqual([
      expect.stringMatching(/^error: Check 'microshift' \(required\) TERMINATED in \d+(\.\d)?s: stopped by SIGTERM/),
    ]);
    // No verdict line: a stopped check is not a failed boot.
    expect(stderr).not.toContain('Required checks FAILED');
    expect(String(result.stdout)).toMatch(/STOPPED microshift/);

    const record = JSON.parse(
      await device.readFile(`/var/lib/edge-agent/boots/${device.bootId.replaceAll('-', '')}.json`),
    ) as BootRecord;
    const microshift = record.checks.required?.results.find((r) => r.id === 'microshift');
    expect(microshift).toMatchObject({ outcome: 'terminated', reason: 'terminated' });
    expect(microshift?.durationMs).toBeGreaterThanOrEqual(2000);
    // It ran at most as long as its process lived.
    expect(microshift?.durationMs).toBeLessThanOrEqual(Date.now() - spawnedAt);
  }, 120_000);
});
