// Installed components from `rpm -q --qf`, layering from rpm-ostree, and which MicroShift ports
// firewalld's active zones admit.
import { describe, expect, it } from 'vitest';
import { layeringOf, parseRpmQuery, unhealthyPods } from '../../../../agent/core/readiness/components.js';
import { microshiftPortFacts, parseFirewallZones, portInZone } from '../../../../agent/core/readiness/firewall.js';
import { buildReadinessSection, hubReadiness } from '../../../../agent/core/readiness/facts.js';
import { ReadinessHubSchema } from '../../../../agent/core/readiness/schema.js';
import type { Deployment } from '../../../../agent/core/deployment.js';

// As rpm 4.16 prints it for installed and missing packages (the latter on stdout, exit = count).
const RPM_OUT = `microshift 4.15.12-202404301539.p0.gb1b1bfd.assembly.4.15.12.el9
microshift-greenboot 4.15.12-202404301539.p0.gb1b1bfd.assembly.4.15.12.el9
package microshift-olm is not installed
package microshift-gitops is not installed
greenboot 0.15.4-1.el9
edge-agent 0.1.0-1.el9
`;

describe('parseRpmQuery', () => {
  it('gives version-release per package and null for the missing ones', () => {
    expect(parseRpmQuery(RPM_OUT)).toEqual({
      microshift: '4.15.12-202404301539.p0.gb1b1bfd.assembly.4.15.12.el9',
      'microshift-greenboot': '4.15.12-202404301539.p0.gb1b1bfd.assembly.4.15.12.el9',
      'microshift-olm': null,
      'microshift-gitops': null,
      greenboot: '0.15.4-1.el9',
      'edge-agent': '0.1.0-1.el9',
    });
  });
  it('ignores lines about other packages and noise', () => {
    expect(parseRpmQuery('bash 5.1-1\nerror: rpmdb: something\n')).toEqual({});
  });
});

describe('layeringOf', () => {
  const d = (over: Partial<Deployment>): Deployment => ({
    checksum: 'c',
    booted: false,
    staged: false,
    pinned: false,
    packages: [],
    requestedPackages: [],
    extra: {},
    ...over,
  });
  it('reads the booted deployment only', () => {
    expect(
      layeringOf([
        d({ staged: true, requestedPackages: ['htop'] }),
        d({ booted: true, requestedPackages: ['vim-enhanced'], requestedBaseRemovals: ['nano'] }),
      ]),
    ).toEqual({ layered: ['vim-enhanced'], removed: ['nano'] });
    expect(layeringOf([d({})])).toBeUndefined();
  });
});

describe('unhealthyPods', () => {
  it('counts Running-and-ready and Succeeded as fine', () => {
    const bad = unhealthyPods({
      id: 'olm',
      namespace: 'openshift-operator-lifecycle-manager',
      pods: [
        { name: 'olm-operator', phase: 'Running', ready: true },
        { name: 'catalog-operator', phase: 'Running', ready: false },
        { name: 'collect-profiles', phase: 'Succeeded', ready: false },
        { name: 'packageserver', phase: 'Pending', ready: false },
      ],
    });
    expect(bad.map((p) => p.name)).toEqual(['catalog-operator', 'packageserver']);
  });
});

// The shape of `firewall-cmd --list-all-zones` on RHEL 9 (firewalld 1.2), trimmed to three zones.
const ZONES = `block
  target: %%REJECT%%
  icmp-block-inversion: no
  interfaces: 
  sources: 
  services: 
  ports: 6443/tcp
  protocols: 

public (default, active)
  target: default
  icmp-block-inversion: no
  interfaces: enp1s0
  sources: 
  services: cockpit dhcpv6-client http mdns ssh
  ports: 6443/tcp 30000-31000/tcp
  protocols: 
  forward: yes
  masquerade: no
  rich rules: 

trusted (active)
  target: ACCEPT
  icmp-block-inversion: no
  interfaces: 
  sources: 10.42.0.0/16 169.254.169.1
  services: 
  ports: 
`;

describe('firewall zones', () => {
  const zones = parseFirewallZones(ZONES);
  it('parses each zone', () => {
    expect(zones.map((z) => [z.name, z.active, z.target])).toEqual([
      ['block', false, '%%REJECT%%'],
      ['public', true, 'default'],
      ['trusted', true, 'ACCEPT'],
    ]);
    expect(zones[1]?.services).toContain('mdns');
    expect(zones[2]?.sources).toEqual(['10.42.0.0/16', '169.254.169.1']);
  });
  it('says open, partly or closed per port and zone', () => {
    const pub = zones[1]!;
    expect(portInZone(pub, '6443/tcp')).toBe('open');
    expect(portInZone(pub, '80/tcp')).toBe('open');
    expect(portInZone(pub, '443/tcp')).toBe('closed');
    expect(portInZone(pub, '5353/udp')).toBe('open');
    expect(portInZone(pub, '30000-32767/tcp')).toBe('partly');
    expect(portInZone(pub, '6443/udp')).toBe('closed');
  });
  it('lists only zones in use (an unused zone admits nothing)', () => {
    expect(microshiftPortFacts(zones).map((p) => `${p.port}: ${p.zones.join(',')}`)).toEqual([
      '6443/tcp: public,trusted',
      '80/tcp: public,trusted',
      '443/tcp: trusted',
      '5353/udp: public,trusted',
      '30000-32767/tcp: public (partly),trusted',
      '30000-32767/udp: trusted',
    ]);
  });
});

describe('readiness section and its hub summary', () => {
  const NOW = Date.parse('2026-12-04T12:00:00Z');
  const section = buildReadinessSection(
    {
      certificates: {
        certs: [
          {
            file: '/etc/edge-agent/hub.crt',
            role: 'hub-client',
            index: 1,
            subject: 'CN=device-a',
            notBefore: NOW - 1e9,
            notAfter: NOW + 20 * 86_400_000 + 5,
          },
        ],
        problems: [],
      },
      fips: { ostreeBooted: true },
      pullSecret: {
        file: '/etc/crio/openshift-pull-secret',
        state: 'read',
        fact: { valid: true, registries: 2, missingMirrors: [] },
      },
      components: { state: 'ok', value: parseRpmQuery(RPM_OUT) },
      layering: { layered: ['vim-enhanced'], removed: [] },
      firewall: { state: 'ok', value: parseFirewallZones(ZONES) },
    },
    NOW,
  );
  it('takes the worst level of what can fail', () => {
    expect(section.level).toBe('warn');
    expect(section.fips.state).toBe('not-supported');
    expect(section.pullSecret.message).toBe('valid, 2 registries in "auths"');
  });
  it('the hub summary validates and stays small', () => {
    const hub = hubReadiness(section);
    expect(ReadinessHubSchema.parse(hub)).toEqual(hub);
    expect(hub.certificates).toEqual({
      level: 'warn',
      checked: 1,
      soonestExpiry: '2026-12-24T12:00:00.005Z',
      daysLeft: 20,
    });
    expect(hub.openPorts).toContain('6443/tcp@public');
    const bytes = Buffer.byteLength(JSON.stringify(hub));
    console.log(`readiness in the hub status: ${bytes} bytes`);
    expect(bytes).toBeLessThan(1024);
  });
});
