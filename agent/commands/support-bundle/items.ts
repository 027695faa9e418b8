// What goes into a support bundle, one entry per item. Each item runs a command or reads a file;
// `collect.ts` gives it its own time limit, redacts it and cuts it to size. Items that read secret
// material (config, pull secret) are built in `sources.ts`.

/** The units whose state explains a boot: ours, greenboot's, MicroShift's and CRI-O's. */
const UNIT_PATTERNS = ['edge-agent*', 'greenboot*', 'redboot*', 'microshift*', 'crio*'];

export interface ItemOutput {
  /** Exit code of the command; undefined for files and for commands that could not start. */
  exit?: number;
  text: string;
  stderr?: string;
  /** Why the item is empty or partial (tool not installed, file missing, timed out). */
  note?: string;
}

export interface BundleItem {
  /** File name inside the archive, under items/. */
  name: string;
  /** What was run or read, as shown in the MANIFEST. */
  command: string;
  timeoutMs: number;
  collect: (signal: AbortSignal, timeoutMs: number) => Promise<ItemOutput>;
}

/** The units whose journal goes into the bundle, grouped as the operator asks about them. */
export const JOURNAL_GROUPS: Array<{ name: string; units: string[] }> = [
  { name: 'greenboot', units: ['greenboot-healthcheck.service', 'redboot-*', 'greenboot-*'] },
  { name: 'microshift', units: ['microshift*'] },
  { name: 'crio', units: ['crio.service'] },
  { name: 'edge-agent', units: ['edge-agent*'] },
];

export interface Limits {
  /** Boots of journal: this one and the ones before it. */
  journalBoots: number;
  /** Newest lines of journal per unit group and boot. */
  journalLines: number;
  /** Whole bundle, before compression. */
  maxBytes: number;
  /** One item, before compression. */
  maxItemBytes: number;
  /** The whole run. */
  maxMs: number;
  /** One command. */
  itemMs: number;
}

export const DEFAULT_LIMITS: Limits = {
  journalBoots: 3,
  journalLines: 5000,
  maxBytes: 50 * 1024 * 1024,
  maxItemBytes: 16 * 1024 * 1024,
  maxMs: 120_000,
  itemMs: 20_000,
};

/** A command that is run as it is; `file` is looked up on PATH. */
export interface CommandItem {
  name: string;
  argv: [string, ...string[]];
}

/** The plain commands: tools whose output is data however they exit. */
export function commandItems(limits: Limits): CommandItem[] {
  const journal: CommandItem[] = [];
  for (let boot = 0; boot < limits.journalBoots; boot++) {
    for (const group of JOURNAL_GROUPS) {
      journal.push({
        name: `journal/boot${boot === 0 ? '0' : `-${boot}`}-${group.name}.txt`,
        argv: [
          'journalctl',
          '--no-pager',
          '-o',
          'short-iso-precise',
          '-b',
          boot === 0 ? '0' : `-${boot}`,
          '-n',
          String(limits.journalLines),
          ...group.units.flatMap((unit) => ['-u', unit]),
        ],
      });
    }
  }
  return [
    { name: 'rpm-ostree-status.json', argv: ['rpm-ostree', 'status', '--json'] },
    { name: 'grubenv.txt', argv: ['grub2-editenv', 'list'] },
    { name: 'units-failed.txt', argv: ['systemctl', 'list-units', '--failed', '--no-pager', '--all'] },
    {
      name: 'units.txt',
      argv: ['systemctl', 'list-units', '--all', '--no-pager', ...UNIT_PATTERNS, 'boot-complete.target'],
    },
    {
      name: 'unit-files.txt',
      argv: ['systemctl', 'list-unit-files', '--no-pager', ...UNIT_PATTERNS],
    },
    { name: 'df.txt', argv: ['df', '-P', '-h', '/var', '/sysroot', '/'] },
    { name: 'crictl-pods.txt', argv: ['crictl', 'pods'] },
    { name: 'crictl-ps.txt', argv: ['crictl', 'ps', '-a'] },
    { name: 'journal/boots.txt', argv: ['journalctl', '--list-boots', '--no-pager'] },
    ...journal,
  ];
}
