#!/usr/bin/env bash
# What replication costs: one alderd against a three-node cluster, on loopback.
# One command:
#
#   bench/compare-cluster.sh [-n OPERATIONS] [--keep]
#
#   -n OPERATIONS  requests per measured run, the same for every run (default 100000)
#   --keep         keep the temporary directory (data, logs, raw results)
#
# Every server runs on free loopback ports in a temporary directory with
# durability fsync (an acknowledged write is on disk):
#   single:  one alderd, --replication_factor 1;
#   cluster: three alderd, --replication_factor 3, every key on all three, the
#            default consistency (QUORUM: two of three acknowledge a put, two
#            answer a get).
# Against each, pointed at one node (node 1 of the cluster, which coordinates
# every request), with 32 connections, 100-byte values and 100000 keys:
#   alder bench --concurrency 32 --value-size 100 --keys 100000 --read-ratio 0 -n N
#   alder bench ... --read-ratio 1 --preload -n N
# (the preload puts every key first, so the gets find values). Prints a table:
# put and get ops/s and p99 latency of both, and cluster/single; goal: cluster
# ops/s >= 0.33x single. All processes share this machine's cores: the cluster
# does three times the storage work of the single node on the same CPUs.
# Exit code 0 when the runs completed (whether or not the goals were met).
#
# Environment: ALDER_BUILD_DIR (default ./build; built with scripts/build.sh
# when alderd or alder is missing there).
set -euo pipefail

OPERATIONS=100000
KEEP=0
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
while (($#)); do
  case "$1" in
    -n | --operations) OPERATIONS=${2:?"$1 needs a value"}; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "compare-cluster: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ $OPERATIONS =~ ^[1-9][0-9]*$ ]] || { echo "compare-cluster: -n must be a positive integer" >&2; exit 2; }

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${ALDER_BUILD_DIR:-$ROOT/build}
PYTHON=/usr/bin/python3  # Debian's interpreter, whatever python3 is first on PATH
# Messages go to fd 3, a copy of the original stderr: a trap can run while a
# function's stderr is redirected to a log, and its messages must not land there.
exec 3>&2
say() { echo "compare-cluster: $*" >&3; }
die() { say "$*"; exit 1; }

# --- Dependencies -------------------------------------------------------------
"$ROOT/scripts/setup.sh"
command -v "$PYTHON" >/dev/null || die "$PYTHON not found even after scripts/setup.sh"
ALDERD=$BUILD_DIR/server/alderd
ALDER=$BUILD_DIR/tools/alder
if [[ ! -x $ALDERD || ! -x $ALDER ]]; then
  say "building Alder into $BUILD_DIR"
  ALDER_BUILD_DIR=$BUILD_DIR ALDER_TARGETS="alderd alder" "$ROOT/scripts/build.sh"
fi
[[ -x $ALDERD && -x $ALDER ]] || die "no $ALDERD or $ALDER after building"

# --- Processes and cleanup -------------------------------------------------------
WORK=$(mktemp -d -t alder-cluster-bench.XXXXXX)
PIDS=()
cleanup() {
  local status=$?
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if ((status == 130 || status == 143)) && ((!KEEP)); then
    say "interrupted"
    rm -rf "$WORK"
  elif ((status != 0)); then
    # The log of the last program started says most about what went wrong.
    local log
    # shellcheck disable=SC2012  # our own log names, no odd characters
    log=$(ls -t "$WORK"/*.log 2>/dev/null | head -n 1)
    if [[ -n $log && -s $log ]]; then
      say "last lines of $log:"
      tail -n 5 "$log" >&3
    fi
    say "failed; logs and data kept in $WORK"
  elif ((KEEP)); then
    say "kept $WORK"
  else
    rm -rf "$WORK"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# free_port VAR: sets VAR to a loopback port nothing listens on that this
# script has not handed out before (runs in this shell, not in $(...), so
# that it can remember them).
TAKEN=" "
free_port() {
  local candidate  # not "port": printf -v would set this local instead of the caller's
  for _ in $(seq 20); do
    candidate=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    if [[ $TAKEN != *" $candidate "* ]]; then
      TAKEN+="$candidate "
      printf -v "$1" '%s' "$candidate"
      return 0
    fi
  done
  die "no free loopback port"
}

# wait_for_port PORT PID NAME: until PORT accepts connections; fails if PID dies.
wait_for_port() {
  local port=$1 pid=$2 name=$3
  for _ in $(seq 300); do
    kill -0 "$pid" 2>/dev/null || die "$name exited during start-up"
    if (exec 4<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  die "$name did not listen on 127.0.0.1:$port within 30 s"
}

# forget PID: no longer ours to clean up.
forget() {
  local pid=$1 p remaining=()
  for p in "${PIDS[@]}"; do [[ $p == "$pid" ]] || remaining+=("$p"); done
  PIDS=("${remaining[@]+"${remaining[@]}"}")
}

# stop PID...: SIGTERM to all, wait for each to exit.
stop() {
  local pid
  for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "$@"; do
    wait "$pid" 2>/dev/null || true
    forget "$pid"
  done
}

# run CMD...: runs a client in the background and waits for it, so that a
# signal to this script is handled at once (bash defers traps while a
# foreground command runs) and the client is stopped by cleanup.
run() {
  "$@" &
  local pid=$! status=0
  PIDS+=("$pid")
  wait "$pid" || status=$?
  forget "$pid"
  return "$status"
}

# start_alderd NAME ARGS...: one alderd in the background, logging to
# $WORK/NAME.log; its pid in STARTED.
start_alderd() {
  local name=$1
  shift
  "$ALDERD" --data_dir "$WORK/$name" --durability fsync "$@" >"$WORK/$name.log" 2>&1 &
  STARTED=$!
  PIDS+=("$STARTED")
}

# bench PORT ARGS...: alder bench with the load both sides get, JSON on stdout.
bench() {
  local port=$1
  shift
  run "$ALDER" --port "$port" bench --concurrency 32 --value-size 100 --keys 100000 --json "$@"
}

# bench_pair PORT LABEL: the put run and the get run against one client port.
bench_pair() {
  local port=$1 label=$2
  say "$label: put x $OPERATIONS"
  bench "$port" --read-ratio 0 --operations "$OPERATIONS" >"$WORK/$label-put.json"
  say "$label: preload 100000 keys, then get x $OPERATIONS"
  bench "$port" --read-ratio 1 --preload --operations "$OPERATIONS" >"$WORK/$label-get.json"
}

# --- One node, replication factor 1 ----------------------------------------------
free_port SINGLE_PORT
free_port SINGLE_INTERNODE_PORT
start_alderd single --node_id 1 --listen "127.0.0.1:$SINGLE_PORT" \
  --internode_listen "127.0.0.1:$SINGLE_INTERNODE_PORT" --replication_factor 1
SINGLE_PID=$STARTED
wait_for_port "$SINGLE_PORT" "$SINGLE_PID" alderd
say "single alderd on 127.0.0.1:$SINGLE_PORT (replication factor 1, durability fsync)"
bench_pair "$SINGLE_PORT" single
kill -0 "$SINGLE_PID" 2>/dev/null || die "alderd died during the runs"
stop "$SINGLE_PID"

# --- Three nodes, replication factor 3, QUORUM -------------------------------------
CLIENT_PORTS=() INTERNODE_PORTS=() CLUSTER_PIDS=() PEERS=""
for n in 1 2 3; do
  free_port port
  CLIENT_PORTS+=("$port")
  free_port port
  INTERNODE_PORTS+=("$port")
  PEERS+="${PEERS:+,}$n@127.0.0.1:${INTERNODE_PORTS[n - 1]}"
done
for n in 1 2 3; do
  start_alderd "node$n" --node_id "$n" --listen "127.0.0.1:${CLIENT_PORTS[n - 1]}" \
    --internode_listen "127.0.0.1:${INTERNODE_PORTS[n - 1]}" --peers "$PEERS" \
    --replication_factor 3
  CLUSTER_PIDS+=("$STARTED")
done
for n in 1 2 3; do wait_for_port "${CLIENT_PORTS[n - 1]}" "${CLUSTER_PIDS[n - 1]}" "node $n"; done
# Until node 1 sees every node up (alder status exits 0), or a QUORUM write
# could find too few live replicas.
for ((tries = 0; ; tries++)); do
  if "$ALDER" --port "${CLIENT_PORTS[0]}" --timeout 2s status >"$WORK/status.txt" 2>&1; then break; fi
  ((tries < 60)) || { cat "$WORK/status.txt" >&3; die "node 1 does not see every node up after 30 s"; }
  sleep 0.5
done
say "3-node cluster on 127.0.0.1:${CLIENT_PORTS[*]} (replication factor 3, QUORUM, durability fsync); benches use node 1"
bench_pair "${CLIENT_PORTS[0]}" cluster
for n in 1 2 3; do
  kill -0 "${CLUSTER_PIDS[n - 1]}" 2>/dev/null || die "node $n died during the runs"
done
"$ALDER" --port "${CLIENT_PORTS[0]}" status --json >"$WORK/status-after.json" 2>&1 || true
stop "${CLUSTER_PIDS[@]}"

# --- Report ----------------------------------------------------------------------
"$PYTHON" - "$WORK" "$OPERATIONS" <<'PY'
import json, sys
work, operations = sys.argv[1], int(sys.argv[2])

runs = {f"{side}-{kind}": json.load(open(f"{work}/{side}-{kind}.json"))
        for side in ("single", "cluster") for kind in ("put", "get")}

rows = []
GOAL = 0.33
for kind in ("put", "get"):
    single, cluster = runs[f"single-{kind}"][kind], runs[f"cluster-{kind}"][kind]
    s_ops, c_ops = single["ops_per_sec"], cluster["ops_per_sec"]
    ratio = c_ops / s_ops if s_ops else 0.0
    rows.append((f"{kind} ops/s", f"{s_ops:,.0f}", f"{c_ops:,.0f}", f"{ratio:.2f}",
                 f">= {GOAL:.2f}", "met" if ratio >= GOAL else "NOT met"))
    s_p99, c_p99 = single["latency_us"]["p99"] / 1000.0, cluster["latency_us"]["p99"] / 1000.0
    rows.append((f"{kind} p99 ms", f"{s_p99:.3f}", f"{c_p99:.3f}",
                 f"{c_p99 / s_p99:.2f}" if s_p99 else "", "", ""))

header = ("", "single", "cluster", "cluster/single", "goal", "")
widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]
print(f"\nOne alderd (replication factor 1) against a 3-node cluster (replication factor 3,")
print(f"QUORUM), all on this machine's loopback: {operations} requests per run, 32 connections")
print("to one node, 100-byte values, 100000 keys, durability fsync.\n")
for r in [header] + rows:
    print("  ".join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(r)).rstrip())

problems = []
for name, run in runs.items():
    errors = run["error_count"] + (run["preload"]["error_count"] if run.get("preload") else 0)
    if errors:
        problems.append(f"{name}: {errors} errors, first: {run.get('first_error')}")
    misses = run["get"].get("misses", 0)
    if misses:
        problems.append(f"{name}: {misses} gets missed (expected 0 after the preload)")
if problems:
    print("\n" + "\n".join(problems))
try:
    status = json.load(open(f"{work}/status-after.json"))
    hints = sum(n["hints_pending"] for n in status["nodes"])
    down = [n["node_id"] for n in status["nodes"] if not n["up"]]
    if hints or down or status["hints_dropped"]:
        print(f"\ncluster after the runs: nodes down {down or 'none'}, {hints} hints pending, "
              f"{status['hints_dropped']} hints dropped")
except (OSError, ValueError, KeyError):
    pass
PY
