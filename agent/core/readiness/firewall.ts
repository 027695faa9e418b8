// Which of MicroShift's ports firewalld lets in, and in which zone. Parsed from
// `firewall-cmd --list-all-zones`: a zone header line ("public (default, active)"), then indented
// "key: values" lines. A port is open in a zone when the zone's target accepts everything, or when
// it is listed in `ports`, or when a listed service stands for it.

export type FirewallZone = {
  name: string;
  active: boolean;
  target: string;
  interfaces: string[];
  sources: string[];
  services: string[];
  ports: string[];
};

export function parseFirewallZones(text: string): FirewallZone[] {
  const zones: FirewallZone[] = [];
  let zone: FirewallZone | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const header = /^(\S+)(?:\s+\(([^)]*)\))?\s*$/.exec(line);
    if (header) {
      zone = {
        name: header[1]!,
        active: (header[2] ?? '').split(',').some((w) => w.trim() === 'active'),
        target: 'default',
        interfaces: [],
        sources: [],
        services: [],
        ports: [],
      };
      zones.push(zone);
      continue;
    }
    const entry = /^\s+([a-z -]+):\s*(.*)$/.exec(line);
    if (!zone || !entry) continue;
    const values = entry[2]!.trim().split(/\s+/).filter(Boolean);
    if (entry[1] === 'target') zone.target = values[0] ?? 'default';
    if (entry[1] === 'interfaces') zone.interfaces = values;
    if (entry[1] === 'sources') zone.sources = values;
    if (entry[1] === 'services') zone.services = values;
    if (entry[1] === 'ports') zone.ports = values;
  }
  return zones;
}

/** MicroShift's ports as its documentation lists them for firewalld. */
export const MICROSHIFT_PORTS = [
  { port: '6443/tcp', purpose: 'API server' },
  { port: '80/tcp', purpose: 'router (HTTP)' },
  { port: '443/tcp', purpose: 'router (HTTPS)' },
  { port: '5353/udp', purpose: 'mDNS' },
  { port: '30000-32767/tcp', purpose: 'NodePort services' },
  { port: '30000-32767/udp', purpose: 'NodePort services' },
] as const;

// The ports of firewalld's stock service definitions that cover MicroShift's ports. A service not
// listed here is not resolved (its XML is not read), so it can only make a port look closed.
const SERVICE_PORTS: Record<string, string[]> = {
  http: ['80/tcp'],
  https: ['443/tcp'],
  mdns: ['5353/udp'],
  'kube-api': ['6443/tcp'],
  'kube-apiserver': ['6443/tcp'],
  'kube-control-plane': ['6443/tcp'],
  'kube-nodeport-services': ['30000-32767/tcp'],
};

interface PortRange {
  from: number;
  to: number;
  protocol: string;
}

function parsePort(spec: string): PortRange | undefined {
  const m = /^(\d+)(?:-(\d+))?\/([a-z]+)$/.exec(spec);
  if (!m) return undefined;
  return { from: Number(m[1]), to: Number(m[2] ?? m[1]), protocol: m[3]! };
}

/** 'open' when the zone admits the whole range, 'partly' when some of it, else 'closed'. */
export function portInZone(zone: FirewallZone, port: string): 'open' | 'partly' | 'closed' {
  if (zone.target === 'ACCEPT') return 'open';
  const want = parsePort(port);
  if (!want) return 'closed';
  const granted = [...zone.ports, ...zone.services.flatMap((s) => SERVICE_PORTS[s] ?? [])]
    .map(parsePort)
    .filter((r): r is PortRange => r !== undefined && r.protocol === want.protocol);
  let covered = 0;
  for (let p = want.from; p <= want.to; p++) if (granted.some((r) => r.from <= p && p <= r.to)) covered++;
  if (covered === 0) return 'closed';
  return covered === want.to - want.from + 1 ? 'open' : 'partly';
}

export type PortFact = {
  port: string;
  purpose: string;
  /** Active zones (bound to an interface or a source) that admit it; "zone (partly)" for part of a range. */
  zones: string[];
};

export function microshiftPortFacts(zones: readonly FirewallZone[]): PortFact[] {
  // A zone that no interface or source uses lets nothing in, whatever it lists.
  const used = zones.filter((z) => z.active || z.interfaces.length > 0 || z.sources.length > 0);
  return MICROSHIFT_PORTS.map(({ port, purpose }) => ({
    port,
    purpose,
    zones: used.flatMap((z) => {
      const state = portInZone(z, port);
      return state === 'open' ? [z.name] : state === 'partly' ? [`${z.name} (partly)`] : [];
    }),
  }));
}
