// Where the CRI-O stand-in lives inside a virtual device, shared by the host-side installer, the
// daemon (crio.service), the crictl stand-in and the conmon script.
//
// Real paths are kept where a cleanup or an operator would look for them (the socket, crictl,
// conmon, the OVN leftovers); the stand-in's own state lives under /run/crio-sim, which like the
// real /run/crio is gone after a reboot.
export const crioPaths = {
  /** The CRI endpoint; /var/run is /run on the device (as on RHEL). */
  socket: '/var/run/crio/crio.sock',
  endpoint: 'unix:///var/run/crio/crio.sock',
  crictl: '/usr/bin/crictl',
  crictlConfig: '/etc/crictl.yaml',
  /** One conmon serves CRI-O and podman, as /usr/bin/conmon does on RHEL. */
  conmon: '/usr/bin/conmon',
  /** Copies of sleep named like the real programs (comm comes from the executable's name). */
  binDir: '/usr/libexec/crio-sim/bin',
  /** Pod sandboxes and containers as the daemon knows them (see model.ts). */
  state: '/run/crio-sim/pods.json',
  /** Scripted failures and hangs of StopPodSandbox/RemovePodSandbox (see faults.ts). */
  faults: '/run/crio-sim/faults.json',
  /** Per container: conmon-pidfile and pidfile, as conmon's -P and -p write them. */
  containersDir: '/run/crio-sim/containers',
  /** Exit codes written by conmon when a container ends, like CRI-O's /var/run/crio/exits. */
  exitsDir: '/run/crio-sim/exits',
  podmanDir: '/run/podman-sim',
  unit: '/etc/systemd/system/crio.service',
  ovsdbUnit: '/etc/systemd/system/ovsdb-server.service',
  microshiftDropIn: '/etc/systemd/system/microshift.service.d/10-crio.conf',
} as const;

/** What MicroShift's OVN-Kubernetes leaves on the host and `microshift-cleanup-data --ovn` removes. */
export const ovnLeftovers = {
  cniConfig: '/etc/cni/net.d/10-ovn-kubernetes.conf',
  cniBinary: '/opt/cni/bin/ovn-k8s-cni-overlay',
  runOvn: '/var/run/ovn',
  runOvnKubernetes: '/var/run/ovn-kubernetes',
} as const;

/** The kernel keeps 15 characters of an executable's name as the process's comm. */
export function commOf(executable: string): string {
  return (executable.split('/').pop() ?? executable).slice(0, 15);
}
