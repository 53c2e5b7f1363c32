#!/usr/bin/env bash
# Builds the unit tests of Alder's concurrent parts with ThreadSanitizer into
# ./build-tsan (or $ALDER_TSAN_BUILD_DIR) and runs them (`ctest -L unit`).
# Any data race fails the run: TSan reports it and halts the test.
#   scripts/tsan.sh              build and run
#   scripts/tsan.sh -R Storage   extra arguments go to ctest
# ALDER_JOBS sets the build's parallelism, as for scripts/build.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${ALDER_TSAN_BUILD_DIR:-build-tsan}

# The parts with threads or mutex-guarded state: storage (group commit, the
# session pool, hints), the background runner and clocks, the Merkle trees,
# the rate limiter, tombstone GC, the bounded task pool. The other unit
# tests are not built here; ctest -L unit skips them (their placeholders
# carry no label).
TESTS="storage_test hint_store_test bounded_task_pool_test background_runner_test
       hlc_test cluster_clock_test merkle_tree_test rate_limiter_test tree_set_test
       tombstone_gc_test"

# TSan cannot run beside ASan: ALDER_SANITIZE stays off in this tree.
ALDER_BUILD_DIR="$BUILD_DIR" ALDER_TARGETS="$TESTS" scripts/build.sh -DALDER_TSAN=ON -DALDER_SANITIZE=OFF

export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/scripts/tsan.supp ${TSAN_OPTIONS:-}"
cd "$BUILD_DIR"
ctest -L unit --output-on-failure --timeout 900 -j "${ALDER_TEST_JOBS:-2}" "$@"
