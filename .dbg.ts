import { bootEdgeDevice } from './test/harness/edge-device.js';
import { scenario } from './test/harness/microshift/scenario.js';
const device = await bootEdgeDevice({ microshift: scenario('healthy'), config: 'microshift:\n  waitTimeoutSec: 60\n  restartWindowSec: 10\n' });
try {
  await device.sh('mkdir -p /ostree/deploy/rhel/deploy /boot/loader/entries');
  for (let i = 0; i < 3; i++) {
    const t = Date.now();
    const r = await device.exec(['edge-agent', 'status', '--json']);
    console.log('run', i, Date.now() - t, 'ms exit', r.exitCode, r.stderr.slice(0, 300));
    const j = JSON.parse(r.stdout);
    console.log(j.summary, j.deployments.source, j.checks.state, j.checks.note, j.journal.state, j.microshift.source, j.microshift.api);
  }
  const t = Date.now();
  console.log((await device.exec(['journalctl', '--list-boots', '-o', 'json', '--no-pager', '-q'])).exitCode, Date.now() - t, 'ms journalctl');
  await device.exec(['mkdir', '-p', '/run/prof']);
  await device.exec(['sh', '-c', 'cd /run/prof && node --cpu-prof $(tail -1 /usr/bin/edge-agent | cut -d" " -f3) status > /dev/null']);
  const files = (await device.exec(['ls', '/run/prof'])).stdout.trim().split('\n');
  const { writeFile } = await import('node:fs/promises');
  await writeFile('/tmp/dev.cpuprofile', await device.readFile(`/run/prof/${files[0]}`));
  console.log(await device.readFile('/usr/bin/edge-agent'));
  console.log((await device.exec(['ls', '-la', '/var/lib/edge-agent/boots/'])).stdout);
} finally { await device.dispose(); }
