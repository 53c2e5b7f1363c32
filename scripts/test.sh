#!/usr/bin/env bash
# Sets everything up and runs every test: installs Debian packages, checks
# that the sources are formatted (scripts/format.sh), builds,
# then runs the whole suite through CTest (C++ unit and integration tests,
# clients in six languages, crash tests against real alderd processes, the
# Debian packages installed with apt), then the concurrent parts' unit tests
# again under ThreadSanitizer (scripts/tsan.sh, in build-tsan), then the
# libFuzzer harnesses briefly over their corpora and regressions
# (scripts/fuzz.sh, in build-fuzz).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
scripts/setup.sh
scripts/format.sh --check
scripts/build.sh
# The Debian packages, for test/packaging (built apart, with Debian's flags).
ALDER_DEB_DIR="${ALDER_BUILD_DIR:-build}/debs" packaging/build-debs.sh
cd "${ALDER_BUILD_DIR:-build}"
ctest --output-on-failure --timeout 900 -j "${ALDER_TEST_JOBS:-2}" "$@"
cd "$root"
scripts/tsan.sh
scripts/fuzz.sh build && scripts/fuzz.sh smoke
