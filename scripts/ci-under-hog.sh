#!/bin/bash
# The CI run from a fresh clone in another directory while a CPU hog keeps every core busy: what
# a loaded build machine does to tests that wait for something. The hog is one busy Node.js loop
# per core (node is there wherever the tests run), each bounded by `timeout` and all killed when
# this script ends, however it ends.
#
#   scripts/ci-under-hog.sh                  # 3 CI runs in a row from a clone of HEAD under /var/tmp
#   RUNS=1 CLONE_PARENT=/tmp scripts/ci-under-hog.sh
#   scripts/ci-under-hog.sh -- EDGE_AGENT_TEST_NODE=24 node scripts/test.mjs test/integration/gate.test.ts
#
# With `--`, the rest is run once under the hog in this checkout instead (a few test files, say).
# Environment: RUNS (default 3), HOG_WORKERS (default: nproc), HOG_MAX_SEC (a bound on the hog
# even if this script is killed with SIGKILL; default 4 hours), CLONE_PARENT (default /var/tmp).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-3}
workers=${HOG_WORKERS:-$(nproc)}
max_sec=${HOG_MAX_SEC:-14400}
node=$(command -v node) || { echo "ci-under-hog: node is not on PATH" >&2; exit 1; }

hog_pids=()
stop_hog() {
  for pid in "${hog_pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${hog_pids[@]}"; do wait "$pid" 2>/dev/null; done
  hog_pids=()
}
trap stop_hog EXIT
trap 'exit 130' INT TERM

for _ in $(seq "$workers"); do
  timeout "$max_sec" "$node" -e 'for (;;) {}' &
  hog_pids+=("$!")
done
echo "ci-under-hog: $workers busy loops running (pids ${hog_pids[*]}), at most ${max_sec}s"

if [ "${1:-}" = "--" ]; then
  shift
  cd "$root" && env "$@"
  exit $?
fi

parent=${CLONE_PARENT:-/var/tmp}
clone=$(mktemp -d "$parent/edge-agent-ci.XXXXXX")
echo "ci-under-hog: cloning $(git -C "$root" rev-parse --short HEAD) into $clone"
git clone --quiet --no-hardlinks "$root" "$clone" || exit 1
failed=0
for n in $(seq "$runs"); do
  started=$(date +%s)
  if CI=true bash "$clone/.ci/run" >"$clone/ci-run-$n.log" 2>&1; then result=pass; else result=FAIL; failed=$((failed + 1)); fi
  echo "ci-under-hog: run $n/$runs: $result in $(($(date +%s) - started))s: $(tail -1 "$clone/ci-run-$n.log") (log: $clone/ci-run-$n.log)"
done
[ "$failed" -eq 0 ]
