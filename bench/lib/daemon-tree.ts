// The daemon's memory including its child processes, for bench/daemon-rss.ts. DESIGN.md's budget
// is "≤ 100 MB peak including any child process": the daemon starts `edge-agent check --dry-run`
// (a second Node.js process), rpm-ostree, systemd-notify, journalctl and the like, all in the
// unit's cgroup, so the sampler sums the RSS of every process in that cgroup.
//
// The sampler runs inside the device as a transient unit (outside the daemon's sandbox, which
// hides other processes' /proc), every 100 ms: a child that lives a few seconds is seen. It keeps
// the sample with the largest sum and what made it up. RSS counts pages shared between processes
// (the node binary's code, mapped by the daemon and its check child alike) once per process; PSS
// (proportional: a page shared by two counts half in each) is printed beside it, as is what the
// kernel charges the cgroup (memory.peak: pages counted once, plus page cache the unit caused).
import type { VirtualDevice } from './device.js';
import { round } from './figures.js';

const SCRIPT = '/run/bench-tree-sampler.sh';
const PEAK = '/run/bench-tree-peak';
const UNIT = 'bench-tree-sampler';

// One line per process of the peak sample: pid, VmRSS kB, Pss kB, command line (spaces kept).
const sampler = `#!/bin/sh
cg=/sys/fs/cgroup$(systemctl show -p ControlGroup --value edge-agent.service)
max=0
while :; do
  total=0
  lines=
  for pid in $(cat "$cg/cgroup.procs" 2>/dev/null); do
    rss=$(sed -n 's/^VmRSS:[[:space:]]*\\([0-9]*\\) kB/\\1/p' "/proc/$pid/status" 2>/dev/null)
    [ -n "$rss" ] || continue
    pss=$(sed -n 's/^Pss:[[:space:]]*\\([0-9]*\\) kB/\\1/p' "/proc/$pid/smaps_rollup" 2>/dev/null)
    cmd=$(tr '\\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | cut -c1-200)
    # A process between fork and exec (or exiting) has no command line yet: its name then.
    [ -n "$cmd" ] || cmd="[$(cat "/proc/$pid/comm" 2>/dev/null)]"
    total=$((total + rss))
    lines="$lines$pid $rss \${pss:-0} $cmd
"
  done
  if [ "$total" -gt "$max" ]; then
    max=$total
    printf '%s' "$lines" > "${PEAK}.tmp" && mv "${PEAK}.tmp" "${PEAK}"
  fi
  sleep 0.1
done
`;

export interface TreeProcess {
  pid: number;
  rssMB: number;
  pssMB: number;
  /** daemon, check child (edge-agent check), harness stand-in (a Node.js program in the test device), or the command's name. */
  role: string;
}

export interface TreePeak {
  rssMB: number;
  pssMB: number;
  /** The same sample without the test harness's stand-ins (rpm-ostree and the like are C programs on a real device). */
  rssWithoutStandInsMB: number;
  /** memory.peak of the unit's cgroup since the unit started (what MemoryMax= limits). */
  cgroupPeakMB?: number;
  processes: TreeProcess[];
}

export interface TreeSampler {
  stop(): Promise<TreePeak>;
}

/** Start sampling the edge-agent unit's cgroup (start the unit first). */
export async function sampleTree(device: VirtualDevice): Promise<TreeSampler> {
  await device.writeFile(SCRIPT, sampler, 0o755);
  await device.sh(
    `rm -f ${PEAK}; systemctl reset-failed ${UNIT} 2>/dev/null; systemd-run --quiet --unit=${UNIT} sh ${SCRIPT}`,
  );
  return {
    async stop() {
      const mainPid = Number((await device.sh('systemctl show -p MainPID --value edge-agent')).trim());
      const cgroup = (await device.sh('systemctl show -p ControlGroup --value edge-agent')).trim();
      const cgroupPeak = await device.readFile(`/sys/fs/cgroup${cgroup}/memory.peak`).catch(() => '');
      await device.sh(`systemctl stop ${UNIT}`);
      const text = await device.readFile(PEAK).catch(() => '');
      const processes = text
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [pid, rss, pss, ...cmd] = line.split(' ');
          return {
            pid: Number(pid),
            rssMB: round(Number(rss) / 1024, 1),
            pssMB: round(Number(pss) / 1024, 1),
            role: roleOf(Number(pid), mainPid, cmd.join(' ').trim()),
          };
        });
      const sum = (list: TreeProcess[], key: 'rssMB' | 'pssMB') =>
        round(
          list.reduce((s, p) => s + p[key], 0),
          1,
        );
      return {
        rssMB: sum(processes, 'rssMB'),
        pssMB: sum(processes, 'pssMB'),
        rssWithoutStandInsMB: sum(
          processes.filter((p) => !p.role.startsWith('harness stand-in')),
          'rssMB',
        ),
        cgroupPeakMB: /^\d+$/.test(cgroupPeak.trim()) ? round(Number(cgroupPeak) / 1024 / 1024, 1) : undefined,
        processes,
      };
    },
  };
}

function roleOf(pid: number, mainPid: number, cmd: string): string {
  if (pid === mainPid) return 'daemon';
  if (/cli\.js check /.test(cmd)) return 'check child';
  // The harness's rpm-ostree, firewall-cmd, ... stand-ins run from the checkout on Node.js.
  const standIn = /\/(?:test|build)\/harness\/|harness.*\.mjs/.exec(cmd);
  const name = (cmd.split(' ')[0] ?? '').split('/').at(-1) || 'unknown';
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

/** "123.4 MB RSS summed (daemon 60.1 + check child 88.0 + ...)". */
export function describeTree(peak: TreePeak): string {
  const parts = peak.processes.map((p) => `${p.role} ${p.rssMB}`).join(' + ');
  const cgroup = peak.cgroupPeakMB === undefined ? '' : `; the cgroup's memory.peak ${peak.cgroupPeakMB} MB`;
  return `${peak.rssMB} MB RSS summed (${parts}); without the harness's stand-ins ${peak.rssWithoutStandInsMB} MB; PSS summed ${peak.pssMB} MB${cgroup}`;
}
