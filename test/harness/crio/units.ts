// Unit files and scripts the CRI-O stand-in installs into a virtual device.
//
// What it simulates: `crio.service` (Type=notify; its daemon answers on the CRI socket and
// starts pods, which outlive it), `ovsdb-server.service` (one process named ovsdb-server, as
// Open vSwitch's database service shows in `ps`), a drop-in that orders microshift.service after
// them as the real unit's Wants=/After= do, and /usr/bin/conmon. What it leaves out:
// ovs-vswitchd, openvswitch.service, microshift-ovs-init.service, crio's configuration files.
import { crioPaths } from './paths.js';

export interface CrioUnitOptions {
  node: string;
  bundle: string;
  stopGraceMs: number;
  dropInfra: boolean;
}

export function crioUnit(o: CrioUnitOptions): string {
  return `# CRI-O stand-in of the edge-agent test harness (test/harness/crio); not the real CRI-O.
[Unit]
Description=Container Runtime Interface for OCI (CRI-O)
Documentation=https://github.com/cri-o/cri-o

[Service]
Type=notify
# READY=1 comes from a systemd-notify child of the daemon.
NotifyAccess=all
ExecStart=${o.node} ${o.bundle} --stop-grace-ms ${o.stopGraceMs}${o.dropInfra ? ' --drop-infra' : ''}
ExecReload=/bin/kill -s HUP $MAINPID
Restart=on-failure
RestartSec=1s
TimeoutStartSec=30s
# Pods are not in this unit's cgroup (see runtime.ts): stopping CRI-O leaves them running.

[Install]
WantedBy=multi-user.target edge-device.target
`;
}

export function ovsdbUnit(executable: string): string {
  return `# Open vSwitch database stand-in of the edge-agent test harness (test/harness/crio).
[Unit]
Description=Open vSwitch Database Unit

[Service]
ExecStart=${executable} infinity
Restart=on-failure

[Install]
WantedBy=multi-user.target edge-device.target
`;
}

/** microshift.service on RHEL wants CRI-O and Open vSwitch (through microshift-ovs-init). */
export const microshiftDropIn = `# Added by the CRI-O stand-in of the edge-agent test harness.
[Unit]
Wants=crio.service ovsdb-server.service
After=crio.service ovsdb-server.service
`;

export const crictlConfig = `runtime-endpoint: ${crioPaths.endpoint}
image-endpoint: ${crioPaths.endpoint}
timeout: 0
debug: false
`;

/**
 * conmon stand-in. A script, so that the process is named `conmon` (the kernel takes a script's
 * comm from the script's file name). Like conmon it daemonizes: the first process exits once the
 * container runs; the second stays as the container's parent and records its exit code.
 */
export const conmonScript = `#!/bin/bash
# conmon stand-in of the edge-agent test harness (test/harness/crio/units.ts); not the real conmon.
# Options used: -c ID, -P CONMON_PIDFILE, -p PIDFILE, --exit-dir DIR, and in place of runc's
# cgroup handling --cgroup-unit UNIT --cgroup-slice SLICE; then -- EXECUTABLE ARGS.
set -u
cid='' conmon_pidfile='' pidfile='' exit_dir=${crioPaths.exitsDir} unit='' slice=''
while (($#)); do
  case $1 in
    -c|--cid) cid=$2; shift 2 ;;
    -P|--conmon-pidfile) conmon_pidfile=$2; shift 2 ;;
    -p|--container-pidfile) pidfile=$2; shift 2 ;;
    --exit-dir) exit_dir=$2; shift 2 ;;
    --cgroup-unit) unit=$2; shift 2 ;;
    --cgroup-slice) slice=$2; shift 2 ;;
    --) shift; break ;;
    *) shift 2 ;;
  esac
done
rm -f "$pidfile" "$conmon_pidfile"
(
  trap '' HUP
  echo "$BASHPID" > "$conmon_pidfile.tmp" && mv "$conmon_pidfile.tmp" "$conmon_pidfile"
  systemd-run --scope --quiet --collect --unit="$unit" --slice="$slice" -- "$@" &
  child=$!
  echo "$child" > "$pidfile.tmp" && mv "$pidfile.tmp" "$pidfile"
  wait "$child"
  status=$?
  mkdir -p "$exit_dir" && echo "$status" > "$exit_dir/$cid"
) </dev/null >/dev/null 2>&1 &
for _ in $(seq 1000); do
  [[ -s $pidfile && -s $conmon_pidfile ]] && exit 0
  sleep 0.01
done
echo "conmon: container $cid did not start" >&2
exit 1
`;
