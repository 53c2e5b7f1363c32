#!/usr/bin/env bash
# Builds Alder's Debian packages (DESIGN.md section 12) from this checkout:
# installs the Build-Depends of packaging/debian/control, stages the sources
# in $ALDER_DEB_DIR (default build/debs) with packaging/debian linked to
# ./debian, and runs `dpkg-buildpackage -us -uc -b` there, offline, with
# Debian's own build flags. The .debs and the .changes end up in
# $ALDER_DEB_DIR; the last line printed says how long the build took.
set -euo pipefail
cd "$(dirname "$0")/.."
SOURCE=$(pwd)
OUT=$(realpath -m "${ALDER_DEB_DIR:-build/debs}")
VERSION=$(dpkg-parsechangelog -l packaging/debian/changelog -S Version)
STAGE="$OUT/alder-$VERSION"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
# dpkg-checkbuilddeps (in dpkg-dev) reads packaging/debian/control; apt is
# asked only when something is missing.
if ! command -v dpkg-checkbuilddeps >/dev/null || ! (cd packaging && dpkg-checkbuilddeps) >/dev/null 2>&1; then
  echo "build-debs: installing the Build-Depends of packaging/debian/control"
  $SUDO apt-get install -y -qq --no-install-recommends dpkg-dev >/dev/null
  $SUDO apt-get build-dep -y -qq ./packaging >/dev/null
fi

case "$OUT" in
  /|"$SOURCE") echo "build-debs: refusing to use $OUT as the output directory" >&2; exit 2 ;;
esac
echo "build-debs: staging the sources of alder $VERSION in $STAGE"
rm -rf "$OUT"
mkdir -p "$STAGE"
if git -C "$SOURCE" rev-parse --git-dir >/dev/null 2>&1; then
  # Tracked and new files, not what .gitignore names (build trees, node_modules).
  git -C "$SOURCE" ls-files -z --cached --others --exclude-standard |
    tar -C "$SOURCE" --null --files-from=- --ignore-failed-read -cf - 2>/dev/null |
    tar -C "$STAGE" -xf -
else
  tar -C "$SOURCE" --exclude='./build*' --exclude=node_modules -cf - . | tar -C "$STAGE" -xf -
fi
ln -s packaging/debian "$STAGE/debian"

start=$(date +%s)
(cd "$STAGE" && DEB_BUILD_OPTIONS="parallel=${ALDER_JOBS:-2}" dpkg-buildpackage -us -uc -b >"$OUT/build.log" 2>&1) || {
  tail -n 40 "$OUT/build.log" >&2
  echo "build-debs: dpkg-buildpackage failed; the whole log is $OUT/build.log" >&2
  exit 1
}
elapsed=$(($(date +%s) - start))
ls -1 "$OUT"/*.deb "$OUT"/*.changes
echo "build-debs: built in ${elapsed} s (log: $OUT/build.log)"
