import { bootEdgeDevice } from './test/harness/edge-device.js';
import { scenario } from './test/harness/microshift/scenario.js';
import { writeFile } from 'node:fs/promises';
const device = await bootEdgeDevice({ microshift: scenario('healthy'), config: 'microshift:\n  waitTimeoutSec: 60\n  restartWindowSec: 10\n' });
const state = () => { const now = new Date().toISOString(); return JSON.stringify({ schema: 1, pid: 1, version: '0.1.0', startedAt: now, updatedAt: now, hub: { configured: false, connected: false, queued: 0, dropped: 0 }, microshift: { unit: 'active', apiReady: true, workloadsReady: '8/8', checkedAt: now } }); };
try {
  await device.sh('mkdir -p /ostree/deploy/rhel/deploy /boot/loader/entries /run/prof');
  const cli = '/work/main/build/status-trace-dist/cli.js';
  await device.exec(['node', cli, 'status']);
  for (let i = 0; i < 2; i++) {
    await device.writeFile('/run/edge-agent/daemon.json', state());
    const r = await device.exec(['sh', '-c', `s=$(date +%s%N); node ${cli} status >/dev/null; e=$(date +%s%N); echo wall $(( (e-s)/1000000 ))`]);
    console.log(r.stdout, r.stderr);
  }
  await device.writeFile('/run/edge-agent/daemon.json', state());
  await device.exec(['sh', '-c', `cd /run/prof && node --cpu-prof --cpu-prof-interval 100 /work/main/build/status-proposal-dist/cli.js status > /dev/null`]);
  const files = (await device.exec(['ls', '/run/prof'])).stdout.trim().split('\n');
  await writeFile('/tmp/dev3.cpuprofile', await device.readFile(`/run/prof/${files[0]}`));
} finally { await device.dispose(); }
