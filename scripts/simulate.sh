#!/usr/bin/env bash
# Runs many seeded schedules of the cluster simulation (DESIGN.md section 16)
# outside CI, one alder_simulation per core, and prints each part's
# figures (schedules/s) and violations.
#   scripts/simulate.sh                 100,000 schedules from seed 1
#   scripts/simulate.sh 20000 500001    20,000 schedules from seed 500001
# Builds alder_simulation first (scripts/build.sh). Seeds that find a bug
# print with the command that replays them; known_failures.txt lists those
# found and not fixed yet, which are reported but not counted.
set -euo pipefail
cd "$(dirname "$0")/.."
SCHEDULES=${1:-100000}
FIRST=${2:-1}
PARTS=${ALDER_JOBS:-$(nproc)}
ALDER_TARGETS=alder_simulation scripts/build.sh
sim="${ALDER_BUILD_DIR:-build}/test/simulation/alder_simulation"
out=$(mktemp -d)
per=$(((SCHEDULES + PARTS - 1) / PARTS))
pids=()
for ((i = 0; i < PARTS; i++)); do
  first=$((FIRST + i * per))
  n=$((i == PARTS - 1 ? SCHEDULES - i * per : per))
  "$sim" --seeds "$n" --first-seed "$first" \
    --known-failures test/simulation/known_failures.txt >"$out/$i.txt" 2>&1 &
  pids+=($!)
done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
for ((i = 0; i < PARTS; i++)); do
  grep -v "known failure, still fails" "$out/$i.txt" || true
done
rm -rf "$out"
exit $status
