// Reading greenboot.conf on the host side of the harness. Never `source`d: it is shell syntax that
// bash greenboot sources, but the harness only needs one number from it.

export const defaultMaxBootAttempts = 3;

/** GREENBOOT_MAX_BOOT_ATTEMPTS as greenboot-grub2-set-counter uses it (last assignment wins). */
export function parseMaxBootAttempts(conf: string | undefined): number {
  let max = defaultMaxBootAttempts;
  for (const line of (conf ?? '').split('\n')) {
    const match = /^\s*GREENBOOT_MAX_BOOT_ATTEMPTS=["']?(\d+)["']?\s*(#.*)?$/.exec(line);
    if (match?.[1]) max = Number(match[1]);
  }
  return max;
}

export function renderGreenbootConf(maxBootAttempts: number): string {
  return `# greenboot configuration (written by the edge-agent test harness)
GREENBOOT_MAX_BOOT_ATTEMPTS=${maxBootAttempts}
# DISABLED_HEALTHCHECKS=( "a.sh" "b.sh" )
`;
}
