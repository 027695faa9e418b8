#!/bin/bash
# greenboot wanted check: edge-agent's warnings about this host (journal not persistent, pull
# secret permissions, firewall sources, free space, clock, registry mirror, greenboot itself).
#
# Exit code to greenboot: 0 = nothing to report; anything else is logged by greenboot as a
# failed wanted check and never makes the boot red or triggers a rollback.
#
# All logic lives in edge-agent, where it is tested; this shim only checks that it can run.
agent=/usr/bin/edge-agent
if [ ! -x "$agent" ]; then
    echo "<4>edge-agent is missing ($agent): wanted checks skipped"
    exit 1
fi
exec "$agent" check --class wanted
