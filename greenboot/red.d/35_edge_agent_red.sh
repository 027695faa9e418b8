#!/bin/bash
# greenboot red.d: the boot was declared bad. edge-agent records why, and when this red boot was
# the last attempt (the next boot is the rollback) prepares MicroShift for it: restore marker,
# MicroShift's pods and OVN state cleaned up, scoped to MicroShift's own processes, every step
# time-boxed so the reboot is never held up.
#
# Exit code to greenboot: ignored (red.d results never change the outcome); non-zero means a
# pre-rollback step failed, and the journal and `edge-agent history` say which.
agent=/usr/bin/edge-agent
if [ ! -x "$agent" ]; then
    echo "<3>edge-agent is missing ($agent): red boot not recorded, no pre-rollback cleanup"
    exit 1
fi
exec "$agent" boot red
