#!/usr/bin/env bash
# Installs every Debian package Alder needs to build, test and benchmark.
# Idempotent: when everything is present it prints nothing and exits 0.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config
  clang-format                                               # scripts/format.sh --check
  clang-14 libclang-rt-14-dev                                # libFuzzer, ASan, UBSan (scripts/fuzz.sh)
  thrift-compiler libthrift-dev libevent-dev libboost-dev   # RPC (libthrift-dev's headers need the last two)
  libwiredtiger-dev wiredtiger                               # storage engine and its `wt` tool
  libssl-dev openssl                                         # hashing (EVP), TLS; certificates (scripts/make-certs.sh)
  libboost-program-options-dev                               # command lines, config files
  libspdlog-dev libfmt-dev                                   # logging, formatting
  prometheus-cpp-dev                                         # metrics (/metrics, DESIGN.md section 15)
  libgtest-dev libgmock-dev                                  # unit and integration tests
  python3 python3-thrift                                     # Python client tests
  faketime                                                   # clock-offset tests
  redis-server redis-tools                                   # side-by-side benchmark (bench/)
  procps                                                     # pgrep/ps in scripts
  tmux                                                       # a real terminal for the alder top test
  help2man                                                   # man pages from --help (packaging/)
  lintian dpkg-dev                                           # package checks (test/packaging)
  golang-go golang-thrift-dev                                # Go client (thrift/examples/go)
  default-jdk-headless libthrift-java libslf4j-java          # Java client (thrift/examples/java)
  libgeronimo-annotation-1.3-spec-java junit4                #   javax.annotation.Generated; tests
  ruby ruby-thrift                                           # Ruby client (thrift/examples/ruby)
)
# Node.js: Debian's nodejs and npm, unless a node with its own npm is there.
if ! command -v npm >/dev/null; then PACKAGES+=(nodejs npm); fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
if ((${#missing[@]} > 0)); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "setup: done"
fi

# The Node.js client's npm modules (thrift, pinned by package-lock.json), into
# thrift/examples/node/node_modules; again only when the lock file changed.
node_dir="$(dirname "$0")/../thrift/examples/node"
if [ ! "$node_dir/node_modules/.package-lock.json" -nt "$node_dir/package-lock.json" ]; then
  echo "setup: npm ci in thrift/examples/node"
  npm ci --prefix "$node_dir" --no-audit --no-fund --loglevel=error >/dev/null
fi
