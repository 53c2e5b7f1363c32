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
BENCH_NAME=compare-cluster
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

OPERATIONS=100000
KEEP=0
while (($#)); do
  case "$1" in
    -n | --operations) OPERATIONS=${2:?"$1 needs a value"}; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage_error "unknown argument '$1' (see --help)" ;;
  esac
done
need_positive_int -n "$OPERATIONS"

need_tools "$PYTHON"
need_alder "alderd alder"
make_work alder-cluster-bench.XXXXXX

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
  --internode_listen "127.0.0.1:$SINGLE_INTERNODE_PORT" --replication_factor 1 --durability fsync
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
    --replication_factor 3 --durability fsync
  CLUSTER_PIDS+=("$STARTED")
done
for n in 1 2 3; do wait_for_port "${CLIENT_PORTS[n - 1]}" "${CLUSTER_PIDS[n - 1]}" "node $n"; done
# Until node 1 sees every node up (alder status exits 0), or a QUORUM write
# could find too few live replicas.
wait_all_up "${CLIENT_PORTS[0]}" 30 "node 1"
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
