// The daemon's memory including its child processes, for bench/daemon-rss.ts. DESIGN.md's budget
// is "≤ 100 MB peak including any child process": the daemon starts `edge-agent check --dry-run`
// (a second Node.js process), rpm-ostree, systemd-notify, journalctl and the like, all in the
// unit's cgroup.
//
// The sampler (tree-sampler.mjs) runs inside the device as a transient unit (outside the daemon's
// sandbox, which hides other processes' /proc), every 100 ms: a child that lives a few seconds is
// seen. The budget is judged on the tree's unique pages: every physical page any of its processes
// maps, counted once (from the page frame numbers in /proc/<pid>/pagemap), leaving out the test
// harness's stand-ins (rpm-ostree is a C program on a real device, a Node.js one here); the figure
// with them is printed too. Summed RSS counts a page once per process that maps it: the daemon and
// its check child both map the node binary's code (some 40 MB), and a process caught between fork
// and exec shares the daemon's pages and counts them all again. Summed PSS splits a shared page
// among all its users, also those outside the tree (this bench runs the same node binary), so it
// can count too little. Both are printed beside it, as is what the kernel charges the cgroup
// (memory.peak) where the kernel has it.
import { fileURLToPath } from 'node:url';
import type { VirtualDevice } from './device.js';
import { round } from './figures.js';

const SAMPLER = fileURLToPath(new URL('./tree-sampler.mjs', import.meta.url));
const PEAK = '/run/bench-tree-peak';
const UNIT = 'bench-tree-sampler';

interface SamplerProcess {
  pid: number;
  rssKB: number;
  pssKB: number;
  cmd: string;
  /** One of the test harness's stand-ins (the sampler decides, by the command line). */
  standIn: boolean;
}
interface SamplerSample {
  rssKB: number;
  pssKB: number;
  ownKB: number;
  ownAnonKB: number;
  ownFileKB: number;
  allKB: number;
  processes: SamplerProcess[];
}

export interface TreeProcess {
  pid: number;
  rssMB: number;
  pssMB: number;
  /** daemon, check child (edge-agent check), harness stand-in (a Node.js program in the test device), or the command's name. */
  role: string;
}

export interface TreePeak {
  /**
   * Every physical page of the tree once, without the harness's stand-ins, at the sample where
   * that was largest: the budget's figure, and the anonymous and file pages of it.
   */
  uniqueMB: number;
  uniqueAnonMB: number;
  uniqueFileMB: number;
  /** The processes of that sample, the stand-ins left out. */
  uniqueProcesses: TreeProcess[];
  /** The same with the stand-ins' pages (rpm-ostree and the like, Node.js programs here). */
  uniqueWithStandInsMB: number;
  /** The largest RSS sum seen (and the PSS sum of that sample). */
  rssMB: number;
  pssMB: number;
  /** memory.peak of the unit's cgroup since the unit started (what MemoryMax= limits). */
  cgroupPeakMB?: number;
  processes: TreeProcess[];
}

export interface TreeSampler {
  stop(): Promise<TreePeak>;
}

/** Start sampling the edge-agent unit's cgroup (start the unit first). */
export async function sampleTree(device: VirtualDevice): Promise<TreeSampler> {
  // The repository is at the same path inside the device; its node is the agent's runtime chooser.
  await device.sh(
    `rm -f ${PEAK}; systemctl reset-failed ${UNIT} 2>/dev/null; cg=/sys/fs/cgroup$(systemctl show -p ControlGroup --value edge-agent.service); systemd-run --quiet --unit=${UNIT} /usr/libexec/edge-agent/node ${SAMPLER} "$cg" ${PEAK} 100`,
  );
  return {
    async stop() {
      const mainPid = Number((await device.sh('systemctl show -p MainPID --value edge-agent')).trim());
      const cgroup = (await device.sh('systemctl show -p ControlGroup --value edge-agent')).trim();
      const cgroupPeak = await device.readFile(`/sys/fs/cgroup${cgroup}/memory.peak`).catch(() => '');
      await device.sh(`systemctl stop ${UNIT}`);
      const text = await device.readFile(PEAK).catch(() => '');
      if (!text) throw new Error(`the tree sampler in the device left nothing in ${PEAK} (journalctl -u ${UNIT})`);
      const peak = JSON.parse(text) as { byOwn: SamplerSample; byAll: SamplerSample; byRss: SamplerSample };
      const mb = (kb: number) => round(kb / 1024, 1);
      const processes = (list: SamplerProcess[]) =>
        list.map((p) => ({
          pid: p.pid,
          rssMB: mb(p.rssKB),
          pssMB: mb(p.pssKB),
          role: roleOf(p, mainPid),
        }));
      return {
        uniqueMB: mb(peak.byOwn.ownKB),
        uniqueAnonMB: mb(peak.byOwn.ownAnonKB),
        uniqueFileMB: mb(peak.byOwn.ownFileKB),
        uniqueProcesses: processes(peak.byOwn.processes.filter((p) => !p.standIn)),
        uniqueWithStandInsMB: mb(peak.byAll.allKB),
        rssMB: mb(peak.byRss.rssKB),
        pssMB: mb(peak.byRss.pssKB),
        cgroupPeakMB: /^\d+$/.test(cgroupPeak.trim()) ? round(Number(cgroupPeak) / 1024 / 1024, 1) : undefined,
        processes: processes(peak.byRss.processes),
      };
    },
  };
}

function roleOf({ pid, cmd, standIn }: SamplerProcess, mainPid: number): string {
  if (pid === mainPid) return 'daemon';
  if (/cli\.js check /.test(cmd)) return 'check child';
  const name = (cmd.split(' ')[0] ?? '').split('/').at(-1) || 'unknown';
  // The harness's rpm-ostree, firewall-cmd, ... stand-ins run from the checkout on Node.js.
  if (standIn)
    return `harness stand-in (${
      cmd
        .split(' ')
        .find((a) => a.includes('harness'))
        ?.split('/')
        .at(-1) ?? name
    })`;
  return name;
}

/** "84.2 MB of unique pages without the harness's stand-ins (...), 92.7 MB with them; the largest RSS sum 123.4 MB (...), ...". */
export function describeTree(peak: TreePeak): string {
  const list = (processes: TreeProcess[]) => processes.map((p) => `${p.role} ${p.rssMB}`).join(' + ');
  const cgroup = peak.cgroupPeakMB === undefined ? '' : `; the cgroup's memory.peak ${peak.cgroupPeakMB} MB`;
  return (
    `${peak.uniqueMB} MB of unique pages without the harness's stand-ins (${peak.uniqueAnonMB} anonymous + ${peak.uniqueFileMB} of files; processes by RSS: ${list(peak.uniqueProcesses)}), ${peak.uniqueWithStandInsMB} MB with them; ` +
    `the largest RSS sum ${peak.rssMB} MB (${list(peak.processes)}), PSS summed ${peak.pssMB} MB${cgroup}`
  );
}
