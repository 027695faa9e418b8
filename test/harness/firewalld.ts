// A firewalld stand-in for the virtual device: `firewall-cmd` answering from a JSON zone file, and
// a `firewalld.service` unit whose state decides whether it answers at all.
//
// What it simulates: `--state`, `--list-all-zones` in firewalld 1.x's layout (zone header with
// "(active)" when an interface or source is bound, "(default, active)" for the default zone, then
// indented key: value lines), `--zone=Z --list-sources`, and exit 252 with "FirewallD is not
// running" while the unit is stopped. What it leaves out: every change command, permanent vs
// runtime configuration, rich rules, policies, and filtering any packet.
import type { VirtualDevice } from './vdev.js';

export interface SimZone {
  name: string;
  target?: string;
  interfaces?: string[];
  sources?: string[];
  services?: string[];
  ports?: string[];
}

export const FIREWALLD_SIM_ZONES = '/etc/firewalld-sim/zones.json';

const SCRIPT = (node: string) => `#!${node}
// firewall-cmd stand-in (test/harness/firewalld.ts)
const { readFileSync, existsSync } = require('node:fs');
const args = process.argv.slice(2);
if (!existsSync('/run/firewalld-sim/running')) {
  process.stderr.write('FirewallD is not running\\n');
  process.exit(252);
}
const state = JSON.parse(readFileSync(${JSON.stringify(FIREWALLD_SIM_ZONES)}, 'utf8'));
if (args.includes('--state')) {
  process.stdout.write('running\\n');
  process.exit(0);
}
const zoneArg = args.find((a) => a.startsWith('--zone='));
if (zoneArg && args.includes('--list-sources')) {
  const zone = state.zones.find((z) => z.name === zoneArg.slice(7));
  if (!zone) {
    process.stderr.write('Error: INVALID_ZONE: ' + zoneArg.slice(7) + '\\n');
    process.exit(112);
  }
  process.stdout.write((zone.sources || []).join(' ') + '\\n');
  process.exit(0);
}
if (args.includes('--list-all-zones')) {
  const out = [];
  for (const z of state.zones) {
    const active = (z.interfaces || []).length > 0 || (z.sources || []).length > 0;
    const marks = [z.name === state.default ? 'default' : '', active ? 'active' : ''].filter(Boolean);
    out.push(z.name + (marks.length ? ' (' + marks.join(', ') + ')' : ''));
    out.push('  target: ' + (z.target || 'default'));
    out.push('  icmp-block-inversion: no');
    for (const key of ['interfaces', 'sources', 'services', 'ports']) out.push('  ' + key + ': ' + (z[key] || []).join(' '));
    out.push('  protocols: ', '  forward: yes', '  masquerade: no', '  forward-ports: ', '  source-ports: ', '  icmp-blocks: ', '  rich rules: ', '');
  }
  process.stdout.write(out.join('\\n') + '\\n');
  process.exit(0);
}
process.stderr.write('firewall-cmd stand-in: unsupported arguments: ' + args.join(' ') + '\\n');
process.exit(2);
`;

const UNIT = `[Unit]
Description=firewalld stand-in (edge-agent tests)

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/sh -c 'mkdir -p /run/firewalld-sim && touch /run/firewalld-sim/running'
ExecStop=/bin/rm -f /run/firewalld-sim/running
`;

export async function installFirewalld(
  device: VirtualDevice,
  zones: SimZone[],
  options: { defaultZone?: string; start?: boolean } = {},
): Promise<void> {
  await setFirewallZones(device, zones, options.defaultZone);
  await device.writeFile('/usr/bin/firewall-cmd', SCRIPT(process.execPath), 0o755);
  await device.installUnit('firewalld.service', UNIT, { start: options.start ?? true });
}

export async function setFirewallZones(device: VirtualDevice, zones: SimZone[], defaultZone = 'public'): Promise<void> {
  await device.writeFile(FIREWALLD_SIM_ZONES, JSON.stringify({ default: defaultZone, zones }, null, 2), 0o644);
}
