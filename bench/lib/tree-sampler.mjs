// Samples the memory of every process in one cgroup, for bench/lib/daemon-tree.ts; runs inside
// the virtual device as root (plain Node.js, no build step):
//
//   node tree-sampler.mjs <cgroup dir> <output file> <interval ms>
//
// Each sample counts the tree's memory three ways:
//   rss     VmRSS summed over the processes. A page that two processes map (the node binary's
//           code, mapped by the daemon and by its check child) counts once per process, and a
//           process between fork and exec counts the daemon's pages a second time.
//   pss     Pss summed. A shared page is split among all its users, also those outside the tree
//           (the bench itself runs the same node binary), so this can count too little.
//   unique  every physical page mapped by any process of the tree, counted once: the page frame
//           numbers of /proc/<pid>/pagemap (visible to root with CAP_SYS_ADMIN), as a set. What
//           the device spends on the tree.
// The output file holds the samples with the most unique pages (with and without the harness's
// stand-ins) and the largest RSS sum seen, as JSON, rewritten (atomically) whenever one grows.
import { closeSync, openSync, readFileSync, readSync, renameSync, writeFileSync } from 'node:fs';

const [cgroupDir, output, intervalArg] = process.argv.slice(2);
const intervalMs = Number(intervalArg) || 100;
const PAGE = 4096;
const PFN_MASK = (1n << 55n) - 1n;
const PRESENT = 1n << 63n;

const read = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
};
const kb = (text, field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);

/** Adds the frame numbers of the process's resident pages to `anon` or `file` (by its mapping). */
function addFrames(pid, anon, file) {
  const maps = read(`/proc/${pid}/maps`);
  let fd;
  try {
    fd = openSync(`/proc/${pid}/pagemap`, 'r');
  } catch {
    return;
  }
  try {
    for (const line of maps.split('\n')) {
      // start-end perms offset dev inode [path]; PROT_NONE reservations hold no pages.
      const [range, perms, , , inode] = line.split(/\s+/);
      if (!range || perms === '---p') continue;
      const [start, end] = range.split('-').map((h) => parseInt(h, 16));
      const pages = (end - start) / PAGE;
      const buffer = Buffer.alloc(pages * 8);
      let got = 0;
      try {
        got = readSync(fd, buffer, 0, buffer.length, (start / PAGE) * 8);
      } catch {
        continue; // [vsyscall] and the like cannot be read
      }
      const target = inode !== '0' ? file : anon;
      for (let offset = 0; offset + 8 <= got; offset += 8) {
        const entry = buffer.readBigUInt64LE(offset);
        if (!(entry & PRESENT)) continue;
        const frame = Number(entry & PFN_MASK);
        // Without CAP_SYS_ADMIN the kernel reports every frame as 0: no count would be true.
        if (frame === 0) throw new Error(`/proc/${pid}/pagemap hides frame numbers (run as root)`);
        target.add(frame);
      }
    }
  } finally {
    closeSync(fd);
  }
}

// The test harness's stand-ins (rpm-ostree and the like) are Node.js programs run from the checkout;
// on a real device they are small C programs. Their pages are also counted apart.
const STAND_IN = /\/(?:test|build)\/harness\/|harness.*\.mjs/;

function sample() {
  const anon = new Set();
  const file = new Set();
  const standInAnon = new Set();
  const standInFile = new Set();
  const processes = [];
  for (const pid of read(`${cgroupDir}/cgroup.procs`).split('\n').filter(Boolean)) {
    const rss = kb(read(`/proc/${pid}/status`), 'VmRSS');
    if (!rss) continue;
    const cmd = read(`/proc/${pid}/cmdline`).split('\0').join(' ').trim().slice(0, 200);
    const standIn = STAND_IN.test(cmd);
    processes.push({
      pid: Number(pid),
      rssKB: rss,
      pssKB: kb(read(`/proc/${pid}/smaps_rollup`), 'Pss'),
      // A process between fork and exec (or exiting) has no command line yet: its name then.
      cmd: cmd || `[${read(`/proc/${pid}/comm`).trim()}]`,
      standIn,
    });
    addFrames(pid, standIn ? standInAnon : anon, standIn ? standInFile : file);
  }
  // A frame seen as both (a private copy of a file page is anonymous) is counted once, as anon.
  for (const frame of anon) file.delete(frame);
  let standInOnly = 0;
  for (const frame of new Set([...standInAnon, ...standInFile]))
    if (!anon.has(frame) && !file.has(frame)) standInOnly += 1;
  const sum = (key) => processes.reduce((s, p) => s + p[key], 0);
  return {
    rssKB: sum('rssKB'),
    pssKB: sum('pssKB'),
    /** Unique pages of every process but the stand-ins, and how many of them are anonymous/of files. */
    ownKB: ((anon.size + file.size) * PAGE) / 1024,
    ownAnonKB: (anon.size * PAGE) / 1024,
    ownFileKB: (file.size * PAGE) / 1024,
    /** Unique pages of every process, the stand-ins' included. */
    allKB: ((anon.size + file.size + standInOnly) * PAGE) / 1024,
    processes,
  };
}

const peak = { byOwn: undefined, byAll: undefined, byRss: undefined };
for (;;) {
  const s = sample();
  let grew = false;
  if (s.processes.length && (!peak.byOwn || s.ownKB > peak.byOwn.ownKB)) {
    peak.byOwn = s;
    grew = true;
  }
  if (s.processes.length && (!peak.byAll || s.allKB > peak.byAll.allKB)) {
    peak.byAll = s;
    grew = true;
  }
  if (s.processes.length && (!peak.byRss || s.rssKB > peak.byRss.rssKB)) {
    peak.byRss = s;
    grew = true;
  }
  if (grew) {
    writeFileSync(`${output}.tmp`, JSON.stringify(peak));
    renameSync(`${output}.tmp`, output);
  }
  await new Promise((resolve) => setTimeout(resolve, intervalMs));
}
