#!/usr/bin/env bash
# Sets everything up and runs every test: installs Debian packages, builds,
# then runs the whole suite through CTest (C++ unit and integration tests,
# Python client tests, crash tests against real alderd processes).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
cd "${ALDER_BUILD_DIR:-build}"
ctest --output-on-failure --timeout 900 -j "${ALDER_TEST_JOBS:-2}" "$@"
