// What each MicroShift core container runs, as a process name, and what the OVN-Kubernetes
// containers leave on the host through their host mounts.
//
// What it simulates: the main process of each container as `ps` shows it (nbdb and sbdb run
// ovsdb-server, northd runs ovn-northd, ...) and the host files MicroShift's OVN leaves behind
// and `microshift-cleanup-data --ovn` removes (host-contracts §4): the CNI config and binary,
// /var/run/ovn (pid files, control and database sockets) and /var/run/ovn-kubernetes. What it
// leaves out: what the programs do; sockets are plain files here, nobody listens on them.
import { ovnLeftovers } from './paths.js';

const executables: Record<string, string> = {
  northd: 'ovn-northd',
  nbdb: 'ovsdb-server',
  sbdb: 'ovsdb-server',
  'ovnkube-master': 'ovnkube',
  'ovn-controller': 'ovn-controller',
  'service-ca-controller': 'service-ca-operator',
  router: 'openshift-router',
  dns: 'coredns',
  'kube-rbac-proxy': 'kube-rbac-proxy',
  'snapshot-controller': 'snapshot-controller',
  webhook: 'snapshot-validation-webhook',
  manager: 'lvms-operator',
  'vg-manager': 'vgmanager',
};

/** The executable a container of this name runs; unknown containers run one named like them. */
export function executableFor(container: string): string {
  return executables[container] ?? container;
}

export function knownExecutables(): string[] {
  return [...new Set(Object.values(executables))];
}

export interface HostFile {
  path: string;
  /** Absent: a directory. */
  content?: string;
  mode?: number;
}

const cniConfig = `${JSON.stringify({
  cniVersion: '0.4.0',
  name: 'ovn-kubernetes',
  type: 'ovn-k8s-cni-overlay',
  ipam: {},
  dns: {},
  logFile: '/var/log/ovn-kubernetes/ovn-k8s-cni-overlay.log',
  logLevel: '4',
  'logfile-maxsize': 100,
  'logfile-maxbackups': 5,
  'logfile-maxage': 5,
})}\n`;

/** Host files a container leaves once it runs with main process `pid`. */
export function leftoversOf(container: string, pid: number): HostFile[] {
  const run = ovnLeftovers.runOvn;
  switch (container) {
    case 'northd':
      return [
        { path: run },
        { path: `${run}/ovn-northd.pid`, content: `${pid}\n` },
        { path: `${run}/ovn-northd.${pid}.ctl`, content: '' },
      ];
    case 'nbdb':
      return [
        { path: run },
        { path: `${run}/ovnnb_db.pid`, content: `${pid}\n` },
        { path: `${run}/ovnnb_db.sock`, content: '' },
        { path: `${run}/ovnnb_db.ctl`, content: '' },
      ];
    case 'sbdb':
      return [
        { path: run },
        { path: `${run}/ovnsb_db.pid`, content: `${pid}\n` },
        { path: `${run}/ovnsb_db.sock`, content: '' },
        { path: `${run}/ovnsb_db.ctl`, content: '' },
      ];
    case 'ovn-controller':
      return [
        { path: run },
        { path: `${run}/ovn-controller.pid`, content: `${pid}\n` },
        { path: `${run}/ovn-controller.${pid}.ctl`, content: '' },
      ];
    case 'ovnkube-master':
      // In MicroShift this process also runs the node side: it installs the CNI plugin.
      return [
        { path: ovnLeftovers.runOvnKubernetes },
        { path: `${ovnLeftovers.runOvnKubernetes}/cni` },
        { path: `${ovnLeftovers.runOvnKubernetes}/cni/ovn-cni-server.sock`, content: '' },
        { path: ovnLeftovers.cniConfig, content: cniConfig },
        {
          path: ovnLeftovers.cniBinary,
          content: '#!/bin/sh\n# ovn-k8s-cni-overlay stand-in (edge-agent test harness)\nexit 1\n',
          mode: 0o755,
        },
      ];
    default:
      return [];
  }
}
