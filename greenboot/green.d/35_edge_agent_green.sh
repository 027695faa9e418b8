#!/bin/bash
# greenboot green.d: the boot was declared good. edge-agent records the verdict in this boot's
# record under /var/lib/edge-agent/boots/, marks the booted deployment known-good and clears a
# restore marker it created before an earlier rollback.
#
# Exit code to greenboot: ignored (green.d results never change the outcome); non-zero means
# edge-agent could not record the good boot, and the journal says why.
agent=/usr/bin/edge-agent
if [ ! -x "$agent" ]; then
    echo "<4>edge-agent is missing ($agent): good boot not recorded"
    exit 1
fi
exec "$agent" boot green
