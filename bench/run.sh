#!/usr/bin/env bash
# bench/run.sh - run the benchmarks and print the results and the acceptance
# ratios (docs/BENCHMARKS.md).
#
#   ./run.sh [extra test binary flags, e.g. -test.cpu 1]
#
# The whole suite runs RUNS times (default 5), one pass after another, so
# that the i-th run of every benchmark is taken close in time to the i-th run
# of the others and a burst of load on a shared machine hits all of them;
# cmd/ratios takes the medians. BENCHTIME (default 0.5s) is each benchmark's
# -benchtime; BENCH (default .) selects benchmarks. The raw output goes to
# $OUT (default bench.txt), the report to standard output.
#
# Stores on servers are measured when their address is set (REDIS_ADDR,
# MONGODB_URI, DYNAMODB_ENDPOINT), e.g. after: eval "$(../scripts/services env)"
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

RUNS=${RUNS:-5}
BENCHTIME=${BENCHTIME:-0.5s}
BENCH=${BENCH:-.}
OUT=${OUT:-bench.txt}

pass=$(mktemp)
trap 'rm -f bench.test "$pass"' EXIT
go test -c -o bench.test .
: >"$OUT"
failed=0
for i in $(seq 1 "$RUNS"); do
  echo "run $i of $RUNS" >&2
  rc=0
  ./bench.test -test.run '^$' -test.bench "$BENCH" -test.benchmem \
    -test.benchtime "$BENCHTIME" -test.count 1 "$@" >"$pass" 2>&1 || rc=$?
  cat "$pass" >>"$OUT"
  grep -E '^(Benchmark|--- |FAIL|panic)' "$pass" >&2 || true
  if [ "$rc" != 0 ]; then
    echo "run.sh: run $i failed (exit $rc); the report below leaves its failures out; output in $OUT" >&2
    failed=1
  fi
done
{
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(go version | cut -d' ' -f3-)"
  echo
  go run ./cmd/ratios <"$OUT"
}
exit "$failed"
