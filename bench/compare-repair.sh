#!/usr/bin/env bash
# What anti-entropy costs and how exact it is, on loopback. One command:
#
#   bench/compare-repair.sh [--keys-large N] [--keys-small N] [-n OPERATIONS]
#                           [--rounds R] [--keep]
#
#   --keys-large N   keys loaded for the large repair run (default 1000000)
#   --keys-small N   keys loaded for the small repair run (default 100000)
#   -n OPERATIONS    puts per tree-maintenance run (default 100000)
#   --rounds R       tree-maintenance runs per setting, alternating on/off;
#                    the median of each is reported (default 1)
#   --keep           keep the temporary directory (data, logs, raw results)
#
# 1. Repair, exact and cheap, at two data sizes. For each N (large, then
#    small), in fresh data directories: two alderd (node_id 1 and 2, each
#    other as --peers, --replication_factor 2, --durability process to load
#    fast, --hint_window 0s so that only anti-entropy repairs,
#    --anti_entropy_interval 24h so that the background does not run);
#      alder bench --keys N --preload -n 0 --value-size 100 --consistency all
#    through node 1; 'alder compare' must exit 0. Then node 2 is stopped
#    (SIGTERM), 100 new distinct keys (diff-1 .. diff-100, 100-byte values)
#    are put through node 1 at consistency ONE, node 2 is started again, and
#    once 'alder status' exits 0, 'alder repair --json' runs on node 1.
#    Recorded: records sent and differing, tree nodes compared, keys listed,
#    bytes sent, the server's elapsed_ms, the client's wall_ms and the wall
#    time around the command; then 'alder compare' must exit 0 again.
#    Goals: records sent / records differing = 1.00; repair < 2 s for each N;
#    repair time at the large N / at the small N < 2.
# 2. What keeping Merkle trees costs writes: one alderd (replication factor
#    1, durability fsync, fresh data directory per run) with
#    --maintain_trees on and with --maintain_trees off,
#      alder bench --concurrency 32 --value-size 100 --keys 100000 --read-ratio 0 -n OPERATIONS
#    Overhead = 1 - (ops/s on) / (ops/s off), the share of put throughput
#    the trees cost. Goal: < 10%.
# Prints a table with the figures and the goals. Exit code 0 when the runs
# completed (whether or not the goals were met).
#
# Environment: ALDER_BUILD_DIR (default ./build; built with scripts/build.sh
# when alderd or alder is missing there).
set -euo pipefail
BENCH_NAME=compare-repair
STOP_LIMIT=120  # a node that does not stop within 120 s of SIGTERM is a failure
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

KEYS_LARGE=1000000
KEYS_SMALL=100000
OPERATIONS=100000
ROUNDS=1
KEEP=0
DIFF_KEYS=100  # keys made to differ; fixed, the goals are stated for it
while (($#)); do
  case "$1" in
    --keys-large) KEYS_LARGE=${2:?"$1 needs a value"}; shift 2 ;;
    --keys-small) KEYS_SMALL=${2:?"$1 needs a value"}; shift 2 ;;
    -n | --operations) OPERATIONS=${2:?"$1 needs a value"}; shift 2 ;;
    --rounds) ROUNDS=${2:?"$1 needs a value"}; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage_error "unknown argument '$1' (see --help)" ;;
  esac
done
need_positive_int --keys-large "$KEYS_LARGE"
need_positive_int --keys-small "$KEYS_SMALL"
need_positive_int -n "$OPERATIONS"
need_positive_int --rounds "$ROUNDS"

need_tools "$PYTHON"
need_alder "alderd alder"
make_work alder-repair-bench.XXXXXX

# --- 1. Repair at two data sizes ------------------------------------------------
VALUE=$(printf '%0100d' 0)  # 100 bytes, like the bench's values

# repair_run LABEL KEYS: one two-node cluster, load, diverge, repair. Results
# in $WORK/LABEL-*.
repair_run() {
  local label=$1 keys=$2 n port peers="" pids=() ports=() internode=() i status
  for n in 1 2; do
    free_port port
    ports+=("$port")
    free_port port
    internode+=("$port")
    peers+="${peers:+,}$n@127.0.0.1:${internode[n - 1]}"
  done
  node_args() {  # node_args N: alderd's flags for node N of this cluster
    local n=$1
    echo --node_id "$n" --listen "127.0.0.1:${ports[n - 1]}" \
      --internode_listen "127.0.0.1:${internode[n - 1]}" --peers "$peers" \
      --replication_factor 2 --durability process --hint_window 0s --anti_entropy_interval 24h
  }
  for n in 1 2; do
    # shellcheck disable=SC2046  # node_args' words are flags without spaces
    start_alderd "$label-node$n" $(node_args "$n")
    pids+=("$STARTED")
  done
  for n in 1 2; do wait_for_port "${ports[n - 1]}" "${pids[n - 1]}" "$label node $n" 60; done
  wait_all_up "${ports[0]}" 60
  local a=("$ALDER" --port "${ports[0]}")

  say "$label: 2 nodes on 127.0.0.1:${ports[*]} (RF 2, durability process); loading $keys keys at ALL"
  run_for 1800 "${a[@]}" bench --keys "$keys" --preload -n 0 --value-size 100 --concurrency 32 \
    --consistency all --key-prefix "$label:" --json -q >"$WORK/$label-load.json"
  status=0
  run_for 300 "${a[@]}" --timeout 2m compare >"$WORK/$label-compare-before.txt" 2>&1 || status=$?
  ((status == 0)) || { tail -n 5 "$WORK/$label-compare-before.txt" >&3; die "$label: replicas differ after loading at ALL (compare exit $status)"; }

  say "$label: node 2 stopped; $DIFF_KEYS new keys through node 1 at ONE"
  stop "${pids[1]}"
  for ((i = 1; i <= DIFF_KEYS; i++)); do
    run_for 30 "${a[@]}" put "diff-$i" "$VALUE" --consistency one || die "$label: put diff-$i at ONE failed"
  done
  # shellcheck disable=SC2046
  start_alderd "$label-node2" $(node_args 2)
  pids[1]=$STARTED
  wait_for_port "${ports[1]}" "${pids[1]}" "$label node 2 (restarted)" 60
  wait_all_up "${ports[0]}" 60

  say "$label: alder repair on node 1"
  local start end
  status=0
  start=$(now_ms)
  run_for 900 "${a[@]}" --timeout 2m repair --json >"$WORK/$label-repair.json" 2>"$WORK/$label-repair.log" || status=$?
  end=$(now_ms)
  echo "$status $((end - start))" >"$WORK/$label-repair-exit.txt"
  ((status == 0 || status == 4)) || { tail -n 5 "$WORK/$label-repair.log" >&3; die "$label: alder repair failed (exit $status)"; }
  status=0
  run_for 300 "${a[@]}" --timeout 2m compare >"$WORK/$label-compare-after.txt" 2>&1 || status=$?
  echo "$status" >"$WORK/$label-compare-after-exit.txt"
  for n in 1 2; do kill -0 "${pids[n - 1]}" 2>/dev/null || die "$label node $n died during the run"; done
  stop "${pids[@]}"
}

repair_run large "$KEYS_LARGE"
repair_run small "$KEYS_SMALL"

# --- 2. Tree maintenance overhead -------------------------------------------------
port="" internode_port=""  # set by free_port
for ((r = 1; r <= ROUNDS; r++)); do
  for trees in on off; do
    label=trees-$trees-$r
    free_port port
    free_port internode_port
    start_alderd "$label" --node_id 1 --listen "127.0.0.1:$port" \
      --internode_listen "127.0.0.1:$internode_port" --replication_factor 1 \
      --durability fsync --maintain_trees "$trees"
    pid=$STARTED
    wait_for_port "$port" "$pid" "alderd (maintain_trees $trees)" 60
    say "maintain_trees $trees (round $r of $ROUNDS): put x $OPERATIONS, durability fsync"
    run_for 900 "$ALDER" --port "$port" bench --concurrency 32 --value-size 100 --keys 100000 \
      --read-ratio 0 --operations "$OPERATIONS" --json -q >"$WORK/$label.json"
    kill -0 "$pid" 2>/dev/null || die "alderd (maintain_trees $trees) died during the run"
    # alderd's CPU time so far (utime + stime, clock ticks): less disturbed by
    # whatever else runs on the machine than ops/s is.
    awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); print ($12 + $13) / hz }' \
      "/proc/$pid/stat" >"$WORK/$label-cpu.txt"
    stop "$pid"
  done
done

# --- Report ----------------------------------------------------------------------
"$PYTHON" - "$WORK" "$KEYS_LARGE" "$KEYS_SMALL" "$DIFF_KEYS" "$OPERATIONS" "$ROUNDS" <<'PY'
import glob, json, os, re, statistics, sys
work = sys.argv[1]
keys = {"large": int(sys.argv[2]), "small": int(sys.argv[3])}
diff_keys, operations, rounds = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])

def load(name):
    with open(os.path.join(work, name)) as f:
        return json.load(f)

problems = []
rep = {}
for label in ("large", "small"):
    r = load(f"{label}-repair.json")
    exit_code, wall = (int(x) for x in open(f"{work}/{label}-repair-exit.txt").read().split())
    r["exit"], r["command_ms"] = exit_code, wall
    r["compare_after"] = int(open(f"{work}/{label}-compare-after-exit.txt").read())
    rep[label] = r
    preload = load(f"{label}-load.json")["preload"]
    r["load_ops_per_sec"] = preload["ops_per_sec"]
    if preload["error_count"]:
        problems.append(f"{label}: {preload['error_count']} errors loading the keys")
    if exit_code or r.get("failed_exchanges") or r.get("error"):
        problems.append(f"{label}: repair exit {exit_code}, {r.get('failed_exchanges')} failed exchanges, "
                        f"error: {r.get('error')}")
    if r["records_differing"] != diff_keys:
        problems.append(f"{label}: {r['records_differing']} records differing, {diff_keys} made to differ")
    if r["compare_after"]:
        problems.append(f"{label}: alder compare after the repair exited {r['compare_after']} (not converged)")

def ratio(a, b):
    return a / b if b else float("nan")

def verdict(ok):
    return "met" if ok else "NOT met"

rows = []
def row(name, large, small, goal="", result=""):
    rows.append((name, large, small, goal, result))

L, S = rep["large"], rep["small"]
sent_ratio = {k: ratio(v["records_sent"], v["records_differing"]) for k, v in rep.items()}
row("keys loaded", f"{keys['large']:,}", f"{keys['small']:,}")
row("load puts/s (ALL)", f"{L['load_ops_per_sec']:,.0f}", f"{S['load_ops_per_sec']:,.0f}")
row("records differing", f"{L['records_differing']}", f"{S['records_differing']}", f"= {diff_keys}",
    verdict(L["records_differing"] == diff_keys and S["records_differing"] == diff_keys))
row("records sent", f"{L['records_sent']}", f"{S['records_sent']}")
row("sent / differing", f"{sent_ratio['large']:.2f}", f"{sent_ratio['small']:.2f}", "1.00",
    verdict(all(abs(x - 1.0) < 0.005 for x in sent_ratio.values())))
row("bytes sent", f"{L['bytes_sent']:,}", f"{S['bytes_sent']:,}")
row("tree nodes compared", f"{L['tree_nodes_compared']:,}", f"{S['tree_nodes_compared']:,}")
row("keys listed", f"{L['keys_listed']:,}", f"{S['keys_listed']:,}")
row("exchanges (failed)", f"{L['exchanges']} ({L['failed_exchanges']})", f"{S['exchanges']} ({S['failed_exchanges']})")
row("repair wall_ms", f"{L['wall_ms']}", f"{S['wall_ms']}", "< 2000",
    verdict(L["wall_ms"] < 2000 and S["wall_ms"] < 2000))
row("  server elapsed_ms", f"{L['elapsed_ms']}", f"{S['elapsed_ms']}")
row("  command wall ms", f"{L['command_ms']}", f"{S['command_ms']}")
time_ratio = ratio(L["wall_ms"], S["wall_ms"])
row("repair time large/small", f"{time_ratio:.2f}", "", "< 2", verdict(time_ratio < 2))
row("converged after", "yes" if L["compare_after"] == 0 else "NO", "yes" if S["compare_after"] == 0 else "NO",
    "yes", verdict(L["compare_after"] == 0 and S["compare_after"] == 0))

def table(header, rows):
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]
    for r in [header] + rows:
        print("  ".join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(r)).rstrip())

print(f"\n1. Repair: 2 nodes, replication factor 2, {diff_keys} keys written at ONE while node 2 was down,")
print("   then 'alder repair' on node 1 (wall_ms: the client's time for the whole repair; elapsed_ms:")
print("   the sum of the server's per-partition times, each rounded down to a millisecond).\n")
table(("", "large", "small", "goal", ""), rows)

runs = {t: [load(f"trees-{t}-{r}.json") for r in range(1, rounds + 1)] for t in ("on", "off")}
ops = {t: statistics.median(run["put"]["ops_per_sec"] for run in runs[t]) for t in runs}
p99 = {t: statistics.median(run["put"]["latency_us"]["p99"] for run in runs[t]) / 1000.0 for t in runs}
overhead = 1.0 - ratio(ops["on"], ops["off"])
for t, rs in runs.items():
    for i, run in enumerate(rs, 1):
        if run["error_count"]:
            problems.append(f"maintain_trees {t} round {i}: {run['error_count']} errors, first: {run.get('first_error')}")
# alderd's CPU seconds over the whole run (start-up, bench, until stopped) per put
cpu = {t: statistics.median(float(open(f"{work}/trees-{t}-{r}-cpu.txt").read()) * 1e6
                            / max(run["put"]["ops"], 1)
                            for r, run in enumerate(runs[t], 1)) for t in runs}
cpu_overhead = ratio(cpu["on"], cpu["off"]) - 1.0
rows2 = [("put ops/s", f"{ops['on']:,.0f}", f"{ops['off']:,.0f}", f"{overhead * 100:.1f}%", "< 10%",
          verdict(overhead < 0.10)),
         ("put p99 ms", f"{p99['on']:.3f}", f"{p99['off']:.3f}", "", "", ""),
         ("alderd CPU us/put", f"{cpu['on']:.1f}", f"{cpu['off']:.1f}", f"{cpu_overhead * 100:+.1f}%", "", "")]
print(f"\n2. Tree maintenance: one alderd (RF 1, durability fsync), {operations} puts, 32 connections,")
print(f"   100-byte values, 100000 keys{'' if rounds == 1 else f'; median of {rounds} runs each'}."
      " Overhead = 1 - on/off.\n")
table(("", "trees on", "trees off", "overhead", "goal", ""), rows2)
if rounds > 1:
    print()
    for t in ("on", "off"):
        print(f"put ops/s of each run, trees {t}: "
              + ", ".join(f"{run['put']['ops_per_sec']:,.0f}" for run in runs[t]))

# Anything at error level in the servers' logs, and warnings other than the
# ones this script causes (node 2 stopped on purpose).
expected = re.compile(r"is down|is not available|received Terminated|Connection refused")
for log in sorted(glob.glob(f"{work}/*.log")):
    if os.path.basename(log).endswith("repair.log"):
        continue
    for line in open(log, errors="replace"):
        if (" error " in line or " critical " in line or
                (" warning " in line and not expected.search(line))):
            problems.append(f"{os.path.basename(log)}: {line.strip()}")
if problems:
    print("\n" + "\n".join(problems[:30]))
    if len(problems) > 30:
        print(f"... and {len(problems) - 30} more")
PY
