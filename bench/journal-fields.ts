// Benchmark: what a structured journal record costs now that it goes through util-linux
// `logger --journald` (one short-lived process per record) instead of a native binding, against
// a plain `<N>` line on the service's stderr stream. One virtual device, its real journald; the
// probe runs as a transient service with the daemon's Node flags (--lite-mode) and logs PROBE_RECORDS (default 200) records
// of each kind back to back (a burst far denser than the daemon's few records a minute).
// Also checks that every structured record arrived with its fields.
import { bundleHarnessProgram } from '../test/harness/bundle.js';
import { VirtualDevice } from '../test/harness/vdev.js';

const records = Number(process.env.PROBE_RECORDS ?? 200);
const [device, probe] = await Promise.all([
  VirtualDevice.boot({ name: 'vdev-bench-jf' }),
  bundleHarnessProgram('test/harness/journal-fields-probe.ts', 'journal-fields-probe'),
]);
try {
  const out = '/run/journal-fields.json';
  await device.sh(
    `systemd-run --wait --quiet -u jf-probe -p Environment=PROBE_RECORDS=${records} sh -c 'exec node --lite-mode --expose-gc ${probe} 3>${out}'; journalctl --sync`,
  );
  const figures = JSON.parse(await device.sh(`cat ${out}`)) as Record<string, number>;
  const arrived = (await device.journal({ matches: ['EDGE_AGENT_OUTCOME=pass', 'SYSLOG_IDENTIFIER=edge-agent-bench'] }))
    .length;
  if (arrived !== records)
    throw new Error(`only ${arrived} of ${records} structured records reached the journal with their fields`);
  const round = (n: number) => Math.round(n * 100) / 100;
  const summary = Object.fromEntries(
    Object.entries({ ...figures, structuredArrived: arrived }).map(([k, v]) => [k, round(v)]),
  );
  for (const [k, v] of Object.entries(summary)) process.stdout.write(`${k.padEnd(24)} ${v}\n`);
  process.stdout.write(`${JSON.stringify({ bench: 'journal-fields', ...summary })}\n`);
} finally {
  await device.dispose();
}
