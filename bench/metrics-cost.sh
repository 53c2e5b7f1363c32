#!/usr/bin/env bash
# What counting and timing every request costs (issue 9). One command:
#
#   bench/metrics-cost.sh [-n OPERATIONS] [--rounds R] [--durability D] [--keep]
#
#   -n OPERATIONS  requests per measured run (default 100000)
#   --rounds R     runs of each build, alternating, to average out drift (default 3)
#   --durability D fsync (default) or process: process takes the log flush out
#                  of each put, leaving the CPU work where counting would show
#   --keep         keep the temporary directory (data, logs, raw results)
#
# Two builds of alderd: the normal one, and one configured with
# -DALDER_REQUEST_METRICS=OFF (into $ALDER_BUILD_DIR-nometrics, reused when
# present) that counts and times no request. Each round starts each build
# afresh (durability D) and runs, with 32 connections, 100-byte values
# and 100000 keys:
#   alder bench --concurrency 32 --read-ratio 0 -n N            (puts)
#   alder bench --concurrency 32 --read-ratio 1 --preload -n N  (gets)
# The report gives the median ops/s of each build and their ratio; goal:
# less than 3% lost. Throughput on a shared 2-core machine varies 10-20%
# between runs of one build, so it also gives alderd's CPU time per put
# (from /proc/PID/stat), which varies far less. Then, with the normal build under the same put load,
# it scrapes /metrics every 50 ms and reports the scrape latency
# (p50, p99, max). Last, the direct cost: test/bench/request_metrics_bench
# times recording one request (ns, 1 and 32 threads) to set against the CPU
# time per put. Exit code 0 when the runs completed (goal met or not).
set -euo pipefail
BENCH_NAME=metrics-cost
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

OPERATIONS=100000
ROUNDS=3
DURABILITY=fsync
KEEP=0
while (($#)); do
  case "$1" in
    -n | --operations) OPERATIONS=${2:?"$1 needs a value"}; shift 2 ;;
    --rounds) ROUNDS=${2:?"$1 needs a value"}; shift 2 ;;
    --durability) DURABILITY=${2:?"$1 needs a value"}; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage_error "unknown argument '$1' (see --help)" ;;
  esac
done
need_positive_int -n "$OPERATIONS"
need_positive_int --rounds "$ROUNDS"
[[ $DURABILITY == fsync || $DURABILITY == process ]] ||
  usage_error "--durability must be fsync or process, not '$DURABILITY'"

need_tools "$PYTHON"
need_alder "alderd alder"
ALDER_BUILD_DIR=$BUILD_DIR ALDER_TARGETS=request_metrics_bench "$ROOT/scripts/build.sh" >&3
BASELINE_DIR=${BUILD_DIR}-nometrics
if [[ ! -x $BASELINE_DIR/server/alderd || $BASELINE_DIR/server/alderd -ot $ALDERD ]]; then
  say "building alderd without request metrics into $BASELINE_DIR"
  ALDER_BUILD_DIR=$BASELINE_DIR ALDER_TARGETS=alderd "$ROOT/scripts/build.sh" \
    -DALDER_REQUEST_METRICS=OFF -DALDER_BUILD_TESTS=OFF >&3  # the report alone on stdout
fi
make_work alder-metrics-cost.XXXXXX

# measure LABEL BINARY ROUND: one fresh node of BINARY, a put run and a get run.
measure() {
  local label=$1 binary=$2 round=$3 port internode
  free_port port
  free_port internode
  ALDERD=$binary start_alderd "$label-$round" --listen "127.0.0.1:$port" \
    --internode_listen "127.0.0.1:$internode" --durability "$DURABILITY"
  local pid=$STARTED
  wait_for_port "$port" "$pid" "alderd ($label)"
  local bench=("$ALDER" --port "$port" bench --concurrency 32 --value-size 100 --keys 100000
    --quiet --json --operations "$OPERATIONS")
  local t0 t1 t2
  t0=$(cpu_ticks "$pid")
  run "${bench[@]}" --read-ratio 0 >"$WORK/$label-$round-put.json"
  t1=$(cpu_ticks "$pid")
  run "${bench[@]}" --read-ratio 1 --preload >"$WORK/$label-$round-get.json"
  t2=$(cpu_ticks "$pid")
  # The get run's preload puts as many keys again: its CPU time is shared.
  echo "$((t1 - t0)) $((t2 - t1))" >"$WORK/$label-$round-cpu.txt"
  stop "$pid"
}

# cpu_ticks PID: the CPU time PID has used, user and system, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

for round in $(seq "$ROUNDS"); do
  # Alternate which build goes first, so that neither always runs on a warmer machine.
  if ((round % 2)); then order=(with without); else order=(without with); fi
  for label in "${order[@]}"; do
    binary=$ALDERD
    [[ $label == without ]] && binary=$BASELINE_DIR/server/alderd
    say "round $round of $ROUNDS: $label request metrics, $OPERATIONS puts then $OPERATIONS gets"
    measure "$label" "$binary" "$round"
  done
done

# --- Scrape latency under load ---------------------------------------------------
free_port PORT
free_port INTERNODE
free_port METRICS
start_alderd scraped --listen "127.0.0.1:$PORT" --internode_listen "127.0.0.1:$INTERNODE" \
  --metrics_listen "127.0.0.1:$METRICS" --durability "$DURABILITY"
SCRAPED_PID=$STARTED
wait_for_port "$PORT" "$SCRAPED_PID" alderd
say "scraping /metrics every 50 ms during $OPERATIONS puts"
"$ALDER" --port "$PORT" bench --concurrency 32 --value-size 100 --keys 100000 --quiet --json \
  --read-ratio 0 --operations "$OPERATIONS" >"$WORK/scraped-put.json" &
LOAD_PID=$!
PIDS+=("$LOAD_PID")
"$PYTHON" - "$METRICS" "$LOAD_PID" >"$WORK/scrapes.txt" <<'PY'
import os, sys, time, urllib.request
port, load = sys.argv[1], int(sys.argv[2])
deadline = time.time() + 600
while time.time() < deadline:
    try:
        os.kill(load, 0)
    except ProcessLookupError:
        break
    start = time.perf_counter()
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read()
    print(f"{(time.perf_counter() - start) * 1000:.3f} {len(body)}")
    time.sleep(0.05)
PY
wait "$LOAD_PID"
forget "$LOAD_PID"
stop "$SCRAPED_PID"

# --- Report ----------------------------------------------------------------------
"$PYTHON" - "$WORK" "$ROUNDS" "$OPERATIONS" "$DURABILITY" <<'PY'
import json, os, statistics, sys
work, rounds, operations, durability = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]

def ops(label, kind):
    runs = [json.load(open(f"{work}/{label}-{r}-{kind}.json"))[kind]["ops_per_sec"]
            for r in range(1, rounds + 1)]
    return statistics.median(runs), runs

print(f"\nRequest metrics on and off: {operations} requests per run, {rounds} rounds, "
      f"32 connections, 100-byte values, durability {durability}.\n")
print(f"{'':5} {'with ops/s':>12} {'without ops/s':>14} {'ratio':>6}  runs (with / without)")
for kind in ("put", "get"):
    with_median, with_runs = ops("with", kind)
    without_median, without_runs = ops("without", kind)
    ratio = with_median / without_median if without_median else 0
    goal = "met" if ratio >= 0.97 else "NOT met"
    runs = " ".join(f"{r:,.0f}" for r in with_runs) + " / " + " ".join(
        f"{r:,.0f}" for r in without_runs)
    print(f"{kind:5} {with_median:>12,.0f} {without_median:>14,.0f} {ratio:>6.3f}  {runs}  "
          f"(goal >= 0.97: {goal})")

def cpu_us_per_put(label):
    ticks = [int(open(f"{work}/{label}-{r}-cpu.txt").read().split()[0]) for r in range(1, rounds + 1)]
    return statistics.median(ticks) * 1e6 / os.sysconf("SC_CLK_TCK") / operations

with_cpu, without_cpu = cpu_us_per_put("with"), cpu_us_per_put("without")
print(f"\nalderd CPU time per put (median of {rounds}): {with_cpu:.1f} us with, "
      f"{without_cpu:.1f} us without, ratio {with_cpu / without_cpu:.3f}")

scrapes = [tuple(map(float, line.split())) for line in open(f"{work}/scrapes.txt")]
if scrapes:
    ms = sorted(s[0] for s in scrapes)
    p = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]
    load = json.load(open(f"{work}/scraped-put.json"))["put"]["ops_per_sec"]
    print(f"\n/metrics under {load:,.0f} puts/s: {len(ms)} scrapes of {int(scrapes[-1][1]):,} bytes, "
          f"p50 {p(0.5):.2f} ms, p99 {p(0.99):.2f} ms, max {ms[-1]:.2f} ms")
PY
echo
"$BUILD_DIR/test/bench/request_metrics_bench"
