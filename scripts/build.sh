#!/usr/bin/env bash
# Configures and builds Alder into ./build (or $ALDER_BUILD_DIR).
# Extra arguments go to cmake's configure step, e.g. -DALDER_SANITIZE=ON.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${ALDER_BUILD_DIR:-build}
JOBS=${ALDER_JOBS:-2}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=${CMAKE_BUILD_TYPE:-RelWithDebInfo} "$@" >/dev/null
cmake --build "$BUILD_DIR" -j "$JOBS"
