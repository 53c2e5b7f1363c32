#!/usr/bin/env bash
# Sets everything up and runs Alder: installs Debian packages, builds, and
# starts a local one-node cluster on 127.0.0.1:7700 with data in
# ./cluster-data. Stop it with Ctrl-C (a clean shutdown).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
ALDER_TARGETS="alderd alder" scripts/build.sh
DATA=${ALDER_DATA:-cluster-data}
PORT=${ALDER_PORT:-7700}
mkdir -p "$DATA"
cat <<MSG
Alder is starting on 127.0.0.1:$PORT (data in $DATA/node1, log in $DATA/node1.log).
Talk to it from another terminal:
  build/tools/alder --port $PORT put greeting hello
  build/tools/alder --port $PORT get greeting
Press Ctrl-C to stop.
MSG
exec build/server/alderd --node_id 1 --data_dir "$DATA/node1" --listen "127.0.0.1:$PORT" \
  --internode_listen "127.0.0.1:$((PORT + 1))" 2> >(tee -a "$DATA/node1.log" >&2)
