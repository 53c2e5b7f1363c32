#!/usr/bin/env bash
# Runs the kill -9 crash test for many cycles, outside the regular suite.
#
#   scripts/crash-cycles.sh [CYCLES] [fsync|process|both]     (default: 1000 fsync)
#
# Each cycle starts alderd, writes from four clients, SIGKILLs alderd after
# 50-300 ms, restarts it and checks every acknowledged write (see
# test/integration/crash_test.cc). Prints progress every 50 cycles and a final
# report; exits non-zero if any acknowledged write was lost.
set -euo pipefail
cd "$(dirname "$0")/.."
CYCLES=${1:-1000}
MODE=${2:-fsync}
case "$MODE" in
  fsync | process) FILTER="*/$MODE" ;;
  both) FILTER="*" ;;
  *) echo "crash-cycles: mode must be fsync, process or both" >&2; exit 2 ;;
esac
[[ $CYCLES =~ ^[1-9][0-9]*$ ]] || { echo "crash-cycles: CYCLES must be a positive integer" >&2; exit 2; }
ALDER_TARGETS="crash_test" scripts/build.sh >/dev/null
echo "crash-cycles: $CYCLES kill -9 cycles, durability $MODE"
ALDER_CRASH_CYCLES=$CYCLES "${ALDER_BUILD_DIR:-build}/test/integration/crash_test" \
  --gtest_filter="$FILTER" | grep --line-buffered -E "crash test|FAILED|Failure|cycle [0-9]+, key|PASSED"
