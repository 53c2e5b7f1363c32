#!/bin/sh
# Prints a help2man include file with a COMMANDS section: every command of
# `alder` (as its --help lists them) with its own --help, verbatim.
# Usage: command-sections.sh PATH-TO-ALDER
set -eu
alder="$1"
commands=$("$alder" --help | sed -n '/^Commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }')
[ -n "$commands" ] || { echo "command-sections.sh: no commands in '$alder --help'" >&2; exit 1; }
echo "[COMMANDS]"
for command in $commands; do
    echo ".SS $command"
    echo ".nf"
    # roff: a backslash is \e, and a line may not start with . or '
    "$alder" "$command" --help | sed -e 's/\\/\\e/g' -e "s/^\([.']\)/\\\\\&\1/"
    echo ".fi"
done
