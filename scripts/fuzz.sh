#!/usr/bin/env bash
# Builds and runs Alder's libFuzzer harnesses (test/fuzz) in ./build-fuzz (or
# $ALDER_FUZZ_BUILD_DIR), with clang-14, libFuzzer, ASan and UBSan.
#   scripts/fuzz.sh build            configure and build the harnesses
#   scripts/fuzz.sh smoke            run each briefly over its seed corpus and
#                                    its regressions; any crash fails
#   scripts/fuzz.sh long [SECONDS]   run each for SECONDS (default 600) on a
#                                    temporary copy of its corpus; print the
#                                    executions, exec/s and crashes of each
#   scripts/fuzz.sh run NAME [ARGS]  one harness by hand, libFuzzer's ARGS
# ALDER_JOBS sets the build's parallelism, as for scripts/build.sh;
# ALDER_FUZZERS narrows the harnesses run (names as below).
set -euo pipefail
caller=$PWD
cd "$(dirname "$0")/.."
root=$PWD
BUILD_DIR=${ALDER_FUZZ_BUILD_DIR:-build-fuzz}
FUZZERS=${ALDER_FUZZERS:-"api_request_fuzzer internode_request_fuzzer stored_record_fuzzer
                           wire_record_fuzzer config_fuzzer duration_fuzzer"}
SMOKE_SECONDS=${ALDER_FUZZ_SMOKE_SECONDS:-15}

# UBSan halts at the first finding but those scripts/fuzz-ubsan.supp names
# (inside Thrift's headers); libFuzzer reports leaks as crashes.
export ASAN_OPTIONS="abort_on_error=1 detect_leaks=1 ${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="halt_on_error=1 print_stacktrace=1 suppressions=$root/scripts/fuzz-ubsan.supp ${UBSAN_OPTIONS:-}"

build() {
  # The tests are not configured here: the harnesses need none of them, and
  # the tree builds only the libraries the harnesses link.
  CC=clang-14 CXX=clang++-14 ALDER_BUILD_DIR="$BUILD_DIR" ALDER_TARGETS="$FUZZERS" \
    scripts/build.sh -DALDER_FUZZ=ON -DALDER_SANITIZE=OFF -DALDER_BUILD_TESTS=OFF
}

# libFuzzer's flags for harness $1. The two over a node keep state across
# inputs (WiredTiger's cache, the Merkle trees, what was stored), so nearly
# every input ends with more memory held than it began with, and libFuzzer
# would scan the whole heap for leaks after each: two thirds of the time.
# For them a leak is found when the harness exits (ASan's leak check)
# instead of after the input that caused it.
flags() {
  echo "-max_len=4096 -timeout=10 -rss_limit_mb=2048"
  case $1 in
    api_request_fuzzer | internode_request_fuzzer) echo "-detect_leaks=0" ;;
  esac
}

# Directories a harness reads: its seed corpus and its regressions.
inputs() {
  for d in "test/fuzz/corpus/$1" "test/fuzz/regressions/$1"; do
    if [ -d "$d" ]; then echo "$root/$d"; fi
  done
}

smoke() {
  local failed=()
  # A crash's input is kept here (crash-*, leak-*, timeout-*) to replay with
  # `scripts/fuzz.sh run NAME FILE` and to add to test/fuzz/regressions/NAME.
  local crashes="$root/$BUILD_DIR/fuzz-crashes"
  mkdir -p "$crashes"
  for f in $FUZZERS; do
    mapfile -t dirs < <(inputs "$f")
    # Every regression and seed replayed first, then fuzzing for a bounded
    # time; nothing is written to the committed corpus (a scratch one first).
    local scratch
    scratch=$(mktemp -d "${TMPDIR:-/tmp}/alder-fuzz-XXXXXX")
    mkdir "$scratch/corpus" "$scratch/tmp"
    local log="$scratch/log"
    echo "fuzz smoke: $f (${SMOKE_SECONDS}s)"
    # TMPDIR: the harnesses' node and config file live there, and go with it.
    if ! (cd "$scratch" && TMPDIR="$scratch/tmp" "$root/$BUILD_DIR/test/fuzz/$f" \
      -max_total_time="$SMOKE_SECONDS" $(flags "$f") \
      -print_final_stats=1 -artifact_prefix="$crashes/$f-" "$scratch/corpus" "${dirs[@]}" \
      >"$log" 2>&1); then
      grep -E -A12 "runtime error|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)" "$log" | head -60 >&2
      grep -E "Test unit written" "$log" >&2 || true
      failed+=("$f")
    else
      grep -E "^stat::number_of_executed_units|^Done" "$log" | tr '\n' ' '
      echo
    fi
    rm -rf "$scratch"
  done
  if ((${#failed[@]} > 0)); then
    echo "fuzz smoke: crashes in ${failed[*]}" >&2
    exit 1
  fi
}

long() {
  local seconds=${1:-600}
  local out
  out=$(mktemp -d "${TMPDIR:-/tmp}/alder-fuzz-XXXXXX")
  printf '%-26s %12s %9s %8s\n' harness executions exec/s crashes
  for f in $FUZZERS; do
    local work="$out/$f"
    mkdir -p "$work/corpus" "$work/crashes"
    mapfile -t dirs < <(inputs "$f")
    for d in "${dirs[@]}"; do cp -r "$d/." "$work/corpus/"; done
    # -fork keeps going past a crash (each is saved); one job, the machine is shared.
    mkdir -p "$work/tmp"
    (cd "$work" && TMPDIR="$work/tmp" "$root/$BUILD_DIR/test/fuzz/$f" -fork=1 -ignore_crashes=1 -ignore_ooms=1 \
      -ignore_timeouts=1 -max_total_time="$seconds" $(flags "$f") \
      -artifact_prefix="$work/crashes/" "$work/corpus" >"$work/log" 2>&1) || true
    local execs rate crashes
    # -fork's progress lines: "#N: cov: ... exec/s R oom/timeout/crash: ...".
    execs=$(grep -oE '^#[0-9]+' "$work/log" | tail -1 | tr -d '#' || true)
    rate=$(grep -oE 'exec/s:? [0-9]+' "$work/log" | tail -1 | grep -oE '[0-9]+' || true)
    crashes=$(find "$work/crashes" -type f | wc -l)
    printf '%-26s %12s %9s %8s\n' "$f" "${execs:-0}" "${rate:-0}" "$crashes"
    rm -rf "$work/tmp"
  done
  echo "logs, corpora and crash inputs in $out"
}

case "${1:-}" in
  build) build ;;
  smoke) smoke ;;
  long) long "${2:-600}" ;;
  run)
    name=$2
    shift 2
    cd "$caller"  # where libFuzzer writes crash-* files
    exec "$root/$BUILD_DIR/test/fuzz/$name" "$@"
    ;;
  *)
    sed -n '2,13p' "$0" >&2
    exit 2
    ;;
esac
