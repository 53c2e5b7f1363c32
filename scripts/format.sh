#!/usr/bin/env bash
# Formats Alder's C++ sources with clang-format (.clang-format: Google style,
# 100 columns), or with --check lists the files that are not formatted and
# fails. Generated code (build trees) is not touched.
#   scripts/format.sh           format every tracked .cc and .h file in place
#   scripts/format.sh --check   change nothing; exit 1 if a file needs formatting
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cc' '*.h')
if [ "${1:-}" = "--check" ]; then
  unformatted=()
  for f in "${files[@]}"; do
    clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || unformatted+=("$f")
  done
  if ((${#unformatted[@]} > 0)); then
    echo "format: ${#unformatted[@]} files need scripts/format.sh:" >&2
    printf '  %s\n' "${unformatted[@]}" >&2
    exit 1
  fi
  exit 0
fi
clang-format -i "${files[@]}"
