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

# The major version of the node at $1 (0 when it does not say).
major_of() {
    version=$("$1" --version 2>/dev/null)
    major=${version#v}
    major=${major%%.*}
    case $major in
        '' | *[!0-9]*) major=0 ;;
    esac
}

# The unit starts the daemon with --no-expose-wasm: under Node.js 22 it keeps V8 from warning at
# every start that --lite-mode turned WebAssembly off. Node.js 24's V8 no longer has the flag
# (WebAssembly is off silently) and refuses to start with it ("bad option"), so drop it there,
# from the node options only (those before the script).
run() {
    node=$1
    shift
    case " $* " in
        *' --no-expose-wasm '*)
            major_of "$node"
            if [ "$major" -ge 24 ]; then
                options=yes
                for arg do
                    shift
                    if [ "$options" = yes ] && [ "$arg" = --no-expose-wasm ]; then continue; fi
                    case $arg in -*) ;; *) options=no ;; esac
                    set -- "$@" "$arg"
                done
            fi
            ;;
    esac
    exec "$node" "$@"
}

if [ -x "$system" ]; then
    major_of "$system"
    if [ "$major" -ge 22 ] || [ ! -x "$runtime" ]; then
        run "$system" "$@"
    fi
fi
if [ -x "$runtime" ]; then
    run "$runtime" "$@"
fi
echo "edge-agent: no Node.js to run on: neither $system nor $runtime exists (install nodejs >= 22 or edge-agent-runtime)" >&2
# 69: a host capability is missing (agent/exit-codes.ts, Unavailable).
exit 69
