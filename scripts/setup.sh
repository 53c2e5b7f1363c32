#!/usr/bin/env bash
# Installs every Debian package Alder needs to build, test and benchmark.
# Idempotent: when everything is present it prints nothing and exits 0.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config
  thrift-compiler libthrift-dev libevent-dev libboost-dev   # RPC (libthrift-dev's headers need the last two)
  libwiredtiger-dev wiredtiger                               # storage engine and its `wt` tool
  libssl-dev                                                 # hashing (EVP)
  libboost-program-options-dev                               # command lines, config files
  libspdlog-dev libfmt-dev                                   # logging, formatting
  prometheus-cpp-dev                                         # metrics (/metrics, DESIGN.md section 15)
  libgtest-dev libgmock-dev                                  # unit and integration tests
  python3 python3-thrift                                     # Python client tests
  faketime                                                   # clock-offset tests
  redis-server redis-tools                                   # side-by-side benchmark (bench/)
  procps                                                     # pgrep/ps in scripts
  tmux                                                       # a real terminal for the alder top test
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
((${#missing[@]} == 0)) && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
