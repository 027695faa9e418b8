// Benchmark: what an idle daemon costs. DESIGN.md's budgets: idle CPU near zero; hub traffic
// ≤ 200 KB per device per day with default settings. Figures, not tests.
//
// One virtual edge device (simulated MicroShift, booted green) runs the real `edge-agent run`
// under systemd from the bundle, every setting at its default, reporting to a loopback Mosquitto
// (TLS client certificates) through a counting TCP proxy. A fleet-reader subscriber on the broker
// sees what the device publishes.
//   start-up   from `systemctl start` until the first runtime health check is done and the
//              broker has the boot verdict: the once-per-boot burst (online, status, events).
//   idle CPU   then BENCH_IDLE_SEC (default 60): utime+stime of the daemon's main process from
//              /proc/<pid>/stat, and the unit's CPUUsageNSec (its whole cgroup: watchdog pings
//              through systemd-notify, health checks in child processes when one falls in).
//   traffic    from the end of start-up for BENCH_TRAFFIC_SEC (default 630: two runs of the
//              5-minute health check and update check): MQTT payload bytes (topic + payload, as
//              the sink's state().payloadBytes counts them) seen by the subscriber, and TLS bytes
//              both ways through the proxy (keepalive pings included).
// Per day = the start-up burst (one boot a day) + the window's rate x 86 400 s + one status
// heartbeat per hour (hub.heartbeatSec 3600; none falls in the window), at the last status'
// size (its TLS cost estimated as payload + 100 B of MQTT and TLS framing).
import { readFile } from 'node:fs/promises';
import { connect as netConnect, createServer, type Server } from 'node:net';
import { settleBoot } from '../test/harness/greenboot/boot-cycle.js';
import { scenario } from '../test/harness/microshift/scenario.js';
import { connectClient, startBroker, type TestBroker } from '../test/harness/mosquitto.js';
import { showUnit, sleep, sourceRevision, withDevice, type VirtualDevice } from './lib/device.js';
import { progress, round } from './lib/figures.js';

const IDLE_SEC = seconds(process.env.BENCH_IDLE_SEC, 60);
const TRAFFIC_SEC = Math.max(IDLE_SEC, seconds(process.env.BENCH_TRAFFIC_SEC, 630));
const BUDGET_PER_DAY = 200 * 1000;
const HEARTBEAT_SEC = 3600;
const DEVICE = 'device-a';

interface Seen {
  at: number;
  topic: string;
  bytes: number;
}

async function main(): Promise<number> {
  const broker = await startBroker();
  const proxy = await countingProxy(broker.port);
  const seen: Seen[] = [];
  const reader = await connectClient(broker, 'fleet-reader');
  reader.on('message', (topic, payload) =>
    seen.push({ at: Date.now(), topic, bytes: Buffer.byteLength(topic) + payload.length }),
  );
  await reader.subscribeAsync(`edge/v1/${DEVICE}/#`, { qos: 1 });
  try {
    return await withDevice(await deviceOptions(broker, proxy.port), async (device) => {
      await device.reboot();
      await settleBoot(device, 180_000);
      const source = await sourceRevision();
      console.log(
        `daemon-idle: edge-agent run in a virtual edge device (MicroShift healthy, default settings, hub through a counting proxy); idle ${IDLE_SEC} s, traffic ${TRAFFIC_SEC} s; source ${source}`,
      );

      const started = Date.now();
      await device.sh('systemctl start edge-agent');
      await startUp(device, seen);
      const burstEnd = Date.now();
      const burst = { payload: sum(seen.filter((s) => s.at < burstEnd)), messages: seen.length, wire: proxy.bytes() };
      progress(
        `daemon-idle: start-up took ${((burstEnd - started) / 1000).toFixed(1)} s: ${burst.messages} messages, ${burst.payload} B payload, ${burst.wire} B TLS`,
      );

      const pid = (await device.sh('systemctl show -p MainPID --value edge-agent')).trim();
      const ticks = Number((await device.sh('getconf CLK_TCK')).trim());
      const cpuBefore = { proc: await procCpuSec(device, pid, ticks), unit: await unitCpuSec(device) };
      await waitReporting(IDLE_SEC, 'idle CPU window');
      const cpuAfter = { proc: await procCpuSec(device, pid, ticks), unit: await unitCpuSec(device) };
      const idleWall = (Date.now() - burstEnd) / 1000;
      const procCpu = cpuAfter.proc - cpuBefore.proc;
      const unitCpu = cpuAfter.unit - cpuBefore.unit;

      await waitReporting(TRAFFIC_SEC - (Date.now() - burstEnd) / 1000, 'traffic window');
      const windowEnd = Date.now();
      const windowSec = (windowEnd - burstEnd) / 1000;
      const inWindow = seen.filter((s) => s.at >= burstEnd && s.at < windowEnd);
      const windowPayload = sum(inWindow);
      const windowWire = proxy.bytes() - burst.wire;
      const unitCpuWindow = (await unitCpuSec(device)) - cpuBefore.unit;
      const statuses = seen.filter((s) => s.topic.endsWith('/status'));
      const statusBytes = statuses.at(-1)?.bytes ?? 0;
      const same = (await device.sh('systemctl show -p MainPID --value edge-agent')).trim() === pid;
      const rssMB = round(
        Number(/^VmRSS:\s+(\d+)/m.exec(await device.readFile(`/proc/${pid}/status`))?.[1] ?? NaN) / 1024,
        1,
      );

      const heartbeats = Math.floor(86_400 / HEARTBEAT_SEC);
      const payloadPerDay = burst.payload + (windowPayload / windowSec) * 86_400 + heartbeats * statusBytes;
      const wirePerDay = burst.wire + (windowWire / windowSec) * 86_400 + heartbeats * (statusBytes + 100);
      const kb = (bytes: number) => round(bytes / 1000, 1);

      console.log(
        `idle CPU: daemon process ${procCpu.toFixed(2)} s in ${idleWall.toFixed(0)} s (${round((procCpu / idleWall) * 100, 3)} % of one core); whole unit ${unitCpu.toFixed(2)} s (${round((unitCpu / idleWall) * 100, 3)} %)`,
      );
      console.log(
        `  command: utime+stime from /proc/${pid}/stat and systemctl show -p CPUUsageNSec edge-agent, before and after ${IDLE_SEC} s`,
      );
      console.log(
        `unit CPU over the traffic window: ${unitCpuWindow.toFixed(2)} s in ${windowSec.toFixed(0)} s (${round((unitCpuWindow / windowSec) * 100, 3)} %, health checks included); daemon RSS at its end ${rssMB} MB${same ? '' : ' (THE DAEMON RESTARTED)'}`,
      );
      console.log(
        `hub traffic: start-up ${burst.payload} B payload / ${burst.wire} B TLS (${burst.messages} messages); window ${windowSec.toFixed(0)} s: ${inWindow.length} messages, ${windowPayload} B payload / ${windowWire} B TLS; status ${statusBytes} B`,
      );
      console.log(
        `hub traffic per device per day at defaults: payload ≈ ${kb(payloadPerDay)} KB, TLS both ways ≈ ${kb(wirePerDay)} KB (budget ${BUDGET_PER_DAY / 1000} KB, ratio ${round(wirePerDay / BUDGET_PER_DAY, 3)})`,
      );
      console.log(
        `  per day = start-up + window rate x 86400 s + ${heartbeats} heartbeats x status size (TLS: + 100 B each)`,
      );
      console.log(
        JSON.stringify({
          bench: 'daemon-idle',
          source,
          idle: {
            seconds: round(idleWall, 1),
            processCpuSec: round(procCpu, 3),
            processCpuPct: round((procCpu / idleWall) * 100, 4),
            unitCpuSec: round(unitCpu, 3),
            unitCpuPct: round((unitCpu / idleWall) * 100, 4),
          },
          window: {
            seconds: round(windowSec, 1),
            unitCpuSec: round(unitCpuWindow, 3),
            unitCpuPct: round((unitCpuWindow / windowSec) * 100, 4),
            messages: inWindow.length,
            payloadBytes: windowPayload,
            tlsBytes: windowWire,
            rssMB,
            restarted: !same,
          },
          startup: { messages: burst.messages, payloadBytes: burst.payload, tlsBytes: burst.wire },
          perDay: {
            payloadKB: kb(payloadPerDay),
            tlsKB: kb(wirePerDay),
            budgetKB: BUDGET_PER_DAY / 1000,
            ratio: round(wirePerDay / BUDGET_PER_DAY, 3),
            statusBytes,
          },
        }),
      );
      await device.sh('systemctl stop edge-agent');
      return 0;
    });
  } finally {
    await reader.endAsync(true).catch(() => undefined);
    proxy.server.close();
    await broker.cleanup();
  }
}

async function deviceOptions(broker: TestBroker, port: number) {
  const client = broker.client(DEVICE);
  return {
    microshift: scenario('healthy'),
    // The broker certificate names 127.0.0.1, so TLS through the proxy verifies as usual.
    config: `hub:\n  url: mqtts://127.0.0.1:${port}\n  ca: /etc/edge-agent/hub/ca.crt\n  cert: /etc/edge-agent/hub/device.crt\n  key: /etc/edge-agent/hub/device.key\n`,
    files: {
      '/etc/edge-agent/hub/ca.crt': await readFile(broker.ca, 'utf8'),
      '/etc/edge-agent/hub/device.crt': await readFile(client.cert, 'utf8'),
      '/etc/edge-agent/hub/device.key': { content: await readFile(client.key, 'utf8'), mode: 0o600 },
    },
  };
}

/** Until the first health check has left MicroShift's state and the broker has the verdict. */
async function startUp(device: VirtualDevice, seen: Seen[]): Promise<void> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const state = await device.readFile('/run/edge-agent/daemon.json').catch(() => '');
    const checking = (await device.exec(['pgrep', '-f', 'check --dry-run'])).exitCode === 0;
    if (state.includes('"microshift"') && !checking && seen.some((s) => s.topic.endsWith('/events'))) break;
    if (Date.now() > deadline) throw new Error('the daemon did not finish starting within 180 s');
    await sleep(500);
  }
  // Let the status that follows the health check go out (statusMinIntervalSec 30).
  await sleep(35_000);
}

async function procCpuSec(device: VirtualDevice, pid: string, ticks: number): Promise<number> {
  const stat = await device.readFile(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command: state is field 3; utime and stime are fields 14 and 15.
  return (Number(fields[11]) + Number(fields[12])) / ticks;
}

async function unitCpuSec(device: VirtualDevice): Promise<number> {
  const value = Number((await showUnit(device, 'edge-agent.service', ['CPUUsageNSec'])).CPUUsageNSec);
  if (!Number.isFinite(value)) throw new Error('CPUUsageNSec is not set: no CPU accounting in this device');
  return value / 1e9;
}

async function waitReporting(sec: number, what: string): Promise<void> {
  const end = Date.now() + Math.max(0, sec) * 1000;
  while (Date.now() < end) {
    const left = Math.round((end - Date.now()) / 1000);
    if (left % 60 === 0 && left > 0) progress(`daemon-idle: ${what}: ${left} s left`);
    await sleep(Math.min(1000, Math.max(0, end - Date.now())));
  }
}

const sum = (items: Seen[]) => items.reduce((total, s) => total + s.bytes, 0);

async function countingProxy(port: number): Promise<{ server: Server; port: number; bytes: () => number }> {
  let total = 0;
  const server = createServer((client) => {
    const upstream = netConnect(port, '127.0.0.1');
    client.on('data', (chunk) => {
      total += chunk.length;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      total += chunk.length;
      client.write(chunk);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : 0, bytes: () => total };
}

function seconds(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 5) throw new Error(`expected a whole number of seconds (at least 5), got '${value}'`);
  return n;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`daemon-idle: measurement failed: ${(error as Error).stack ?? String(error)}`);
    process.exit(2);
  },
);
