#!/bin/bash
# greenboot required check: edge-agent decides whether this boot is healthy (MicroShift ready,
# declared required checks passing) with MicroShift's own wait budgets and fail-fast.
#
# Exit code to greenboot: 0 = healthy. Anything else = unhealthy: the boot is red, and when an
# update is on trial greenboot reboots and, after its last attempt, rolls the update back.
# Sorted before MicroShift's 40_microshift_running_check.sh, so a certain failure is reported
# here quickly and (greenboot >= 0.15.8) the slower script is not run at all.
#
# All logic lives in edge-agent, where it is tested; this shim only checks that it can run.
agent=/usr/bin/edge-agent
if [ ! -x "$agent" ]; then
    echo "<3>edge-agent is missing ($agent): this image is broken, failing the boot check"
    exit 1
fi
exec "$agent" check --class required
