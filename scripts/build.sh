#!/usr/bin/env bash
# Configures and builds Alder into ./build (or $ALDER_BUILD_DIR).
#   scripts/build.sh                      everything, tests included
#   ALDER_TARGETS="alderd alder" scripts/build.sh   just those targets
# Extra arguments go to cmake's configure step, e.g. -DALDER_SANITIZE=ON.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${ALDER_BUILD_DIR:-build}
JOBS=${ALDER_JOBS:-2}
# The project's own builds treat warnings as errors; packagers' builds do not.
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-RelWithDebInfo}" -DALDER_WERROR=ON \
  "$@" >/dev/null
targets=()
for t in ${ALDER_TARGETS:-}; do targets+=(--target "$t"); done
cmake --build "$BUILD_DIR" -j "$JOBS" "${targets[@]}"
