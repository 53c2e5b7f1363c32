#!/usr/bin/env bash
# Does anti-entropy, while it repairs, keep foreground p99 latency within 10%
# of an idle cluster's? On loopback. One command:
#
#   bench/repair-impact.sh [--repair-rate SIZE] [--duration SECONDS] [--keys N]
#                          [--new-keys N] [--keep]
#
#   --repair-rate SIZE  every node's --repair_rate, bytes of records repair
#                       sends per second, e.g. 16MB, 1MB (default 256KB, the
#                       server's default)
#   --duration SECONDS  length of each measured bench run (default 30)
#   --keys N            keys loaded first and used by the benches (default 100000)
#   --new-keys N        keys written while node 3 is down (default 200000)
#   --keep              keep the temporary directory (data, logs, raw results)
#
# Three alderd (node_id 1..3, each other as --peers, --replication_factor 3,
# --durability fsync, --hint_window 0s so that only anti-entropy repairs,
# --anti_entropy_interval 24h so that only the explicit repair runs,
# --repair_rate SIZE), on free loopback ports in a temporary directory.
#   1. Load N keys through node 1 (alder bench --preload -n 0, at ALL so that
#      every replica holds them).
#   2. Node 3 stopped (SIGTERM); the new keys written through node 1
#      (alder bench --key-prefix new: --keys NEW --preload -n 0, QUORUM);
#      node 3 started again; once 'alder status' on node 1 exits 0:
#   3. Idle: alder bench --duration 15s --concurrency 32 --value-size 100
#      --keys N --read-ratio 0.5 against node 1 (default consistency, QUORUM),
#      with node 3 behind and nothing repairing: the baseline.
#   4. During repair: 'alder --port NODE1 --timeout 10m repair --json' in the
#      background and, at the same moment, the same bench as in step 2.
#      The repair should outlast the bench; the report says when it did not
#      (then lower --repair-rate, or the bench measured a partly idle cluster).
#   5. 'alder compare' checks that the replicas converged, and the bench of
#      step 2 runs once more on the idle cluster: how far two idle runs
#      differ shows how much of a difference this machine can resolve.
# Prints a table: idle and during-repair ops/s and p99 of puts and gets, and
# p99 during the repair over the mean p99 of the idle runs just before and
# just after it (the cluster drifts slower as runs go on), goal <= 1.10, and
# the second idle run against the first; then the repair's records and bytes sent and
# its wall time. Exit code 0 when the runs completed (whether or not the goal
# was met).
#
# Environment: ALDER_BUILD_DIR (default ./build; built with scripts/build.sh
# when alderd or alder is missing there).
set -euo pipefail
BENCH_NAME=repair-impact
STOP_LIMIT=120  # a node that does not stop within 120 s of SIGTERM is a failure
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

REPAIR_RATE=256KB
DURATION=30
KEYS=100000
NEW_KEYS=200000
KEEP=0
while (($#)); do
  case "$1" in
    --repair-rate) REPAIR_RATE=${2:?"$1 needs a value"}; shift 2 ;;
    --duration) DURATION=${2:?"$1 needs a value"}; shift 2 ;;
    --keys) KEYS=${2:?"$1 needs a value"}; shift 2 ;;
    --new-keys) NEW_KEYS=${2:?"$1 needs a value"}; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage_error "unknown argument '$1' (see --help)" ;;
  esac
done
[[ $REPAIR_RATE =~ ^[0-9]+(B|KB|MB|GB)?$ ]] || usage_error "--repair-rate must be a size such as 16MB, 1MB or 256KB"
DURATION=${DURATION%s}
need_positive_int --duration "$DURATION"
need_positive_int --keys "$KEYS"
need_positive_int --new-keys "$NEW_KEYS"

need_tools "$PYTHON"
need_alder "alderd alder"
make_work alder-repair-impact.XXXXXX

# --- Cluster ------------------------------------------------------------------------
PORTS=() INTERNODE=() NODE_PIDS=() PEERS=""
for n in 1 2 3; do
  free_port port
  PORTS+=("$port")
  free_port port
  INTERNODE+=("$port")
  PEERS+="${PEERS:+,}$n@127.0.0.1:${INTERNODE[n - 1]}"
done
# start_node N: node N, in the background (log appended to $WORK/nodeN.log).
start_node() {
  local n=$1
  start_alderd "node$n" --node_id "$n" --listen "127.0.0.1:${PORTS[n - 1]}" \
    --internode_listen "127.0.0.1:${INTERNODE[n - 1]}" --peers "$PEERS" \
    --replication_factor 3 --durability fsync --hint_window 0s \
    --anti_entropy_interval 24h --repair_rate "$REPAIR_RATE"
  NODE_PIDS[n - 1]=$STARTED
}
for n in 1 2 3; do start_node "$n"; done
for n in 1 2 3; do wait_for_port "${PORTS[n - 1]}" "${NODE_PIDS[n - 1]}" "node $n" 60; done
wait_all_up "${PORTS[0]}" 60 "node 1"
A=("$ALDER" --port "${PORTS[0]}")
say "3 nodes on 127.0.0.1:${PORTS[*]} (RF 3, durability fsync, repair_rate $REPAIR_RATE)"

# bench LABEL: the measured run against node 1, JSON in $WORK/LABEL.json.
bench() {
  run_for $((DURATION + 120)) "${A[@]}" bench --duration "${DURATION}s" --concurrency 32 \
    --value-size 100 --keys "$KEYS" --read-ratio 0.5 --json -q >"$WORK/$1.json"
}

say "loading $KEYS keys through node 1 at ALL"
run_for 1800 "${A[@]}" bench --keys "$KEYS" --preload -n 0 --value-size 100 --concurrency 32 \
  --consistency all --json -q >"$WORK/load.json"

# --- Make node 3 fall behind ----------------------------------------------------------
say "node 3 stopped; $NEW_KEYS new keys through node 1 at QUORUM"
stop "${NODE_PIDS[2]}"
run_for 1800 "${A[@]}" bench --key-prefix new: --keys "$NEW_KEYS" --preload -n 0 --value-size 100 \
  --concurrency 32 --json -q >"$WORK/new-keys.json"
start_node 3
wait_for_port "${PORTS[2]}" "${NODE_PIDS[2]}" "node 3 (restarted)" 60
wait_all_up "${PORTS[0]}" 60 "node 1"

# The baseline: the same cluster, in the same state (node 3 behind, all
# data on disk), while nothing repairs. A baseline taken before node 3 fell
# behind measured a cluster with a third of the data and no restart.
say "idle: bench for $DURATION s (32 connections, 50% gets, $KEYS keys), node 3 behind, no repair"
bench idle

# --- Repair and bench at once -------------------------------------------------------------
say "during repair: alder repair on node 1 and, at once, bench for $DURATION s"
REPAIR_START=$(now_ms)
"${A[@]}" --timeout 10m repair --json >"$WORK/repair.json" 2>"$WORK/repair.log" &
REPAIR_PID=$!
PIDS+=("$REPAIR_PID")
bench during
BENCH_END=$(now_ms)
# Still running when the bench ended? (Not yet waited for, so a repair that
# has finished is a zombie, which kill -0 would still find.)
REPAIR_RUNNING=0
if [[ -r /proc/$REPAIR_PID/stat ]] && [[ $(awk '{ sub(/^.*\) /, ""); print $1 }' "/proc/$REPAIR_PID/stat" 2>/dev/null) != Z ]]; then
  REPAIR_RUNNING=1
  say "bench done; waiting for the repair"
fi
status=0
wait "$REPAIR_PID" || status=$?
REPAIR_END=$(now_ms)
forget "$REPAIR_PID"
((status == 0 || status == 4)) || { tail -n 5 "$WORK/repair.log" >&3; die "alder repair failed (exit $status)"; }
echo "$status $REPAIR_START $BENCH_END $REPAIR_END $REPAIR_RUNNING" >"$WORK/repair-times.txt"

status=0
run_for 600 "${A[@]}" --timeout 2m compare >"$WORK/compare-after.txt" 2>&1 || status=$?
echo "$status" >"$WORK/compare-after-exit.txt"
say "idle again, after the repair: bench for $DURATION s"
bench idle-after
for n in 1 2 3; do kill -0 "${NODE_PIDS[n - 1]}" 2>/dev/null || die "node $n died during the run"; done
stop "${NODE_PIDS[@]}"

# --- Report ----------------------------------------------------------------------
"$PYTHON" - "$WORK" "$REPAIR_RATE" "$DURATION" "$KEYS" "$NEW_KEYS" <<'PY'
import glob, json, os, re, sys
work, rate, duration, keys, new_keys = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])

def load(name):
    with open(os.path.join(work, name)) as f:
        return json.load(f)

idle, during, after, repair = (load("idle.json"), load("during.json"), load("idle-after.json"),
                               load("repair.json"))
exit_code, repair_start, bench_end, repair_end, running = (
    int(x) for x in open(f"{work}/repair-times.txt").read().split())
compare_after = int(open(f"{work}/compare-after-exit.txt").read())
GOAL = 1.10

def table(header, rows):
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]
    for r in [header] + rows:
        print("  ".join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(r)).rstrip())

def quotient(a, b):
    return f"{a / b:.2f}" if b else "n/a"

rows = []
for kind in ("put", "get"):
    i, d, a = idle[kind], during[kind], after[kind]
    rows.append((f"{kind} ops/s", f"{i['ops_per_sec']:,.0f}", f"{d['ops_per_sec']:,.0f}",
                 quotient(d["ops_per_sec"], i["ops_per_sec"]), "", "", f"{a['ops_per_sec']:,.0f}",
                 quotient(a["ops_per_sec"], i["ops_per_sec"])))
    ip99, dp99, ap99 = (r["latency_us"]["p99"] / 1000.0 for r in (i, d, a))
    # The goal's baseline: the mean of the idle runs just before and just
    # after the repair run. The cluster drifts slower as the runs go on (more
    # data, checkpoints), so either idle run alone biases the ratio; their
    # mean cancels a steady drift.
    baseline = (ip99 + ap99) / 2
    ratio = dp99 / baseline if baseline else float("inf")
    rows.append((f"{kind} p99 ms", f"{ip99:.3f}", f"{dp99:.3f}", quotient(dp99, ip99), "", "",
                 f"{ap99:.3f}", quotient(ap99, ip99)))
    rows.append((f"  during / mean idle", "", "", f"{ratio:.2f}", f"<= {GOAL:.2f}",
                 "met" if ratio <= GOAL else "NOT met", "", ""))

print(f"\nForeground load during anti-entropy repair: 3 nodes, replication factor 3, durability fsync,")
print(f"repair_rate {rate}. Bench: {duration} s against node 1, 32 connections, 50% gets (QUORUM),")
print(f"100-byte values, {keys} keys. Repair: {new_keys} keys written while node 3 was down.\n")
table(("", "idle", "during repair", "during/idle", "goal", "", "idle after", "after/idle"), rows)
print("\n(idle after: the same bench once the repair was done; after/idle is the spread between two")
print("idle runs. The goal compares p99 during the repair with the mean of the two idle runs that")
print("bracket it.)")

wall_s = repair.get("wall_ms", 0) / 1000.0
command_s = (repair_end - repair_start) / 1000.0
overlap_s = max(0.0, min(repair_end, bench_end) - repair_start) / 1000.0
rows2 = [
    ("records differing", f"{repair.get('records_differing', 0):,}"),
    ("records sent", f"{repair.get('records_sent', 0):,}"),
    ("bytes sent", f"{repair.get('bytes_sent', 0):,}"),
    ("repair wall_ms", f"{repair.get('wall_ms', 0):,}"),
    ("  command wall s", f"{command_s:.1f}"),
    ("  bytes sent / s", f"{repair.get('bytes_sent', 0) / wall_s:,.0f}" if wall_s else "n/a"),
    ("exchanges (failed)", f"{repair.get('exchanges', 0)} ({repair.get('failed_exchanges', 0)})"),
    ("running at bench end", "yes" if running else "NO"),
    ("converged after", "yes" if compare_after == 0 else f"NO (compare exit {compare_after})"),
]
print()
table(("repair (alder repair on node 1)", ""), rows2)

problems = []
if not running:
    problems.append(f"note: the repair finished {overlap_s:.1f} s into the {duration} s bench, so part of the "
                    "'during repair' run saw an idle cluster; lower --repair-rate to make it outlast the bench")
if exit_code or repair.get("failed_exchanges") or repair.get("error"):
    problems.append(f"repair: exit {exit_code}, {repair.get('failed_exchanges')} failed exchanges, "
                    f"error: {repair.get('error')}")
for name, run in (("load", load("load.json")), ("new keys", load("new-keys.json")), ("idle", idle),
                  ("during repair", during), ("idle after", after)):
    errors = run["error_count"] + (run["preload"]["error_count"] if run.get("preload") else 0)
    if errors:
        problems.append(f"{name}: {errors} errors, first: {run.get('first_error')}")
    misses = run.get("get", {}).get("misses", 0)
    if misses:
        problems.append(f"{name}: {misses} gets missed (expected 0 after the load)")
expected = re.compile(r"is down|is not available|received Terminated|Connection refused")
for log in sorted(glob.glob(f"{work}/node*.log")):
    for line in open(log, errors="replace"):
        if (" error " in line or " critical " in line or
                (" warning " in line and not expected.search(line))):
            problems.append(f"{os.path.basename(log)}: {line.strip()}")
if problems:
    print("\n" + "\n".join(problems[:30]))
    if len(problems) > 30:
        print(f"... and {len(problems) - 30} more")
PY
