#!/bin/sh
# /usr/libexec/edge-agent/node: runs Node.js with the arguments given, on the runtime edge-agent
# should use. The launcher (/usr/bin/edge-agent), the unit's ExecStart and so the greenboot shims
# all go through here, so they always agree.
#
# The choice, in order:
#  1. the system nodejs (/usr/bin/node) when it is a supported LTS (major 22 or later): the OS
#     vendor keeps it patched;
#  2. edge-agent-runtime's Node.js, when that package is installed: RHEL 9's default nodejs is 16
#     and must not win over it, nor must any other unsupported system node;
#  3. whatever system node there is (installed without dependencies, or a development host):
#     better than not running at all, and `edge-agent status` names it.
# `node --version` answers before the JavaScript engine starts (a few ms), so asking costs little
# on every command. The two paths can be overridden for tests of this choice only.
system=${EDGE_AGENT_SYSTEM_NODE:-/usr/bin/node}
runtime=${EDGE_AGENT_RUNTIME_NODE:-/usr/libexec/edge-agent/runtime/node}

if [ -x "$system" ]; then
    version=$("$system" --version 2>/dev/null)
    major=${version#v}
    major=${major%%.*}
    case $major in
        '' | *[!0-9]*) major=0 ;;
    esac
    if [ "$major" -ge 22 ] || [ ! -x "$runtime" ]; then
        exec "$system" "$@"
    fi
fi
if [ -x "$runtime" ]; then
    exec "$runtime" "$@"
fi
echo "edge-agent: no Node.js to run on: neither $system nor $runtime exists (install nodejs >= 22 or edge-agent-runtime)" >&2
# 69: a host capability is missing (agent/exit-codes.ts, Unavailable).
exit 69
