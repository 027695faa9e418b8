// Unit files of the simulated MicroShift, shaped like the ones the microshift RPM ships.
//
// What it simulates: `microshift.service` (Type=notify, Restart=always, TimeoutStartSec=4m) and
// `microshift-etcd`, which in MicroShift 4.15 is a transient scope the microshift process starts;
// here a plain service bound to microshift.service, so it runs exactly while microshift runs and
// `systemctl stop microshift-etcd` works as in microshift-cleanup-data. What it leaves out: the
// crio and microshift-ovs-init dependencies, network-online.target (on the device it could pull
// in the host's wait-online service and hang the start).

export interface SimUnitOptions {
  node: string;
  bundle: string;
  scenarioPath: string;
  certsDir: string;
  port: number;
}

// Restart pacing. The real unit keeps systemd's start limit (5 starts in 10 s) and the default
// RestartSec (100 ms). Here the limit is 5 starts in 5 s, i.e. one start per second on average:
// - a process that dies at once (unit-fails, prerun-failure) restarts every ~0.1 s + node's
//   start-up (~0.1-0.4 s), runs into the limit after five restarts and ends `failed` within
//   about 2 s, as a real MicroShift with a broken config does (just sooner);
// - a process that lives ≥ 1.5 s before crashing (crash-loop) cannot make 6 starts in 5 s, so
//   the unit stays activating/auto-restart with NRestarts growing and never becomes `failed`.
// Both keep a margin of about 3x for a slow, loaded test machine.
export function microshiftUnit(o: SimUnitOptions): string {
  return `# Simulated MicroShift for edge-agent tests (test/harness/microshift); not the real product.
[Unit]
Description=MicroShift
Wants=microshift-etcd.service
StartLimitIntervalSec=5s
StartLimitBurst=5

[Service]
WorkingDirectory=/usr/bin/
ExecStart=${o.node} ${o.bundle} --scenario ${o.scenarioPath} --certs ${o.certsDir} --port ${o.port}
# The real unit has no reload; here SIGHUP makes the simulator re-read its scenario.
ExecReload=/bin/kill -HUP $MAINPID
Restart=always
RestartSec=100ms
User=root
Type=notify
# READY=1 comes from a systemd-notify child of the main process.
NotifyAccess=all
TimeoutStartSec=4m
TimeoutStopSec=10s

[Install]
# The device boots edge-device.target, not multi-user.target: wanted by both so an enabled
# MicroShift also starts at the device's next boot.
WantedBy=multi-user.target edge-device.target
`;
}

export const microshiftEtcdUnit = `# Stand-in for MicroShift's microshift-etcd scope (edge-agent test harness).
[Unit]
Description=MicroShift etcd
BindsTo=microshift.service
# Pulled in again by every restart of a crash-looping microshift: no start limit of its own.
StartLimitIntervalSec=0

[Service]
ExecStart=/bin/sleep infinity
`;
