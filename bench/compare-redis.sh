#!/usr/bin/env bash
# Alder against Redis, side by side, on loopback (issue 2). One command:
#
#   bench/compare-redis.sh [-n OPERATIONS] [--load-keys K] [--cache-size SIZE] [--keep]
#
#   -n OPERATIONS      requests per measured run, for both systems (default 200000)
#   --load-keys K      keys loaded into alderd for the memory check (default 1000000)
#   --cache-size SIZE  alderd's WiredTiger cache, its --cache_size (default 256MB)
#   --keep             keep the temporary directory (data, logs, raw results)
#
# Both servers run on free loopback ports in a temporary directory, durable
# on every acknowledged write: redis-server with appendonly yes, appendfsync
# always, save ""; alderd with durability fsync. Clients use 32 connections,
# 100-byte values and a key space of 100000 keys, without pipelining:
#   redis-benchmark -c 32 -d 100 -r 100000 -n N -t set,get --csv
#   alder bench --concurrency 32 --value-size 100 --keys 100000 --read-ratio 0 -n N
#   alder bench ... --read-ratio 1 --preload -n N
# (redis' GET run reads what its SET run wrote; alder's preload puts every key
# first, so its gets find values too).
# Then K keys are loaded into alderd and its peak RSS (VmHWM) is compared with
# its cache size. Prints a table; goals: put ops/s >= 1.0x Redis, get >= 0.5x.
# Exit code 0 when the runs completed (whether or not the goals were met).
#
# Environment: ALDER_BUILD_DIR (default ./build; built with scripts/build.sh
# when alderd or alder is missing there).
set -euo pipefail
BENCH_NAME=compare-redis
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

OPERATIONS=200000
LOAD_KEYS=1000000
CACHE_SIZE=256MB
KEEP=0
while (($#)); do
  case "$1" in
    -n | --operations) OPERATIONS=${2:?"$1 needs a value"}; shift 2 ;;
    --load-keys) LOAD_KEYS=${2:?"$1 needs a value"}; shift 2 ;;
    --cache-size) CACHE_SIZE=${2:?"$1 needs a value"}; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage_error "unknown argument '$1' (see --help)" ;;
  esac
done
need_positive_int -n "$OPERATIONS"
need_positive_int --load-keys "$LOAD_KEYS"

need_tools redis-server redis-benchmark redis-cli "$PYTHON"  # setup.sh installs redis-server and redis-tools, among others
need_alder ""  # everything, tests included
make_work alder-vs-redis.XXXXXX

# --- Redis ------------------------------------------------------------------------
free_port REDIS_PORT
mkdir -p "$WORK/redis"
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$WORK/redis" \
  --appendonly yes --appendfsync always --save "" --daemonize no \
  --logfile "$WORK/redis-server.log" &
REDIS_PID=$!
PIDS+=("$REDIS_PID")
wait_for_port "$REDIS_PORT" "$REDIS_PID" redis-server
say "$(redis-server --version | cut -d' ' -f1-3) on 127.0.0.1:$REDIS_PORT (appendfsync always): set, get x $OPERATIONS"
run redis-benchmark -h 127.0.0.1 -p "$REDIS_PORT" -c 32 -d 100 -r 100000 -n "$OPERATIONS" \
  -t set,get --csv >"$WORK/redis.csv" 2>"$WORK/redis-benchmark.log"
stop "$REDIS_PID"

# --- Alder ------------------------------------------------------------------------
free_port ALDER_PORT
free_port INTERNODE_PORT
start_alderd alderd --listen "127.0.0.1:$ALDER_PORT" \
  --internode_listen "127.0.0.1:$INTERNODE_PORT" --durability fsync --cache_size "$CACHE_SIZE"
ALDERD_PID=$STARTED
wait_for_port "$ALDER_PORT" "$ALDERD_PID" alderd

bench() { run "$ALDER" --port "$ALDER_PORT" bench --concurrency 32 --value-size 100 --json "$@"; }
say "alderd on 127.0.0.1:$ALDER_PORT (durability fsync, cache_size $CACHE_SIZE): put x $OPERATIONS"
bench --keys 100000 --read-ratio 0 --operations "$OPERATIONS" >"$WORK/alder-put.json"
say "alderd: preload 100000 keys, then get x $OPERATIONS"
bench --keys 100000 --read-ratio 1 --preload --operations "$OPERATIONS" >"$WORK/alder-get.json"
say "alderd: load $LOAD_KEYS keys for the memory check"
bench --keys "$LOAD_KEYS" --key-prefix load: --preload --operations 0 >"$WORK/alder-load.json"
kill -0 "$ALDERD_PID" 2>/dev/null || die "alderd died during the runs"
grep -E '^Vm(HWM|RSS):' "/proc/$ALDERD_PID/status" >"$WORK/alderd-memory.txt"
stop "$ALDERD_PID"

# --- Report ----------------------------------------------------------------------
"$PYTHON" - "$WORK" "$CACHE_SIZE" "$OPERATIONS" "$LOAD_KEYS" <<'PY'
import csv, json, re, sys
work, cache_text, operations, load_keys = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])

redis = {row["test"]: row for row in csv.DictReader(open(f"{work}/redis.csv"))}
put = json.load(open(f"{work}/alder-put.json"))
get = json.load(open(f"{work}/alder-get.json"))
load = json.load(open(f"{work}/alder-load.json"))
memory = {}
for line in open(f"{work}/alderd-memory.txt"):
    name, value, unit = line.split()
    memory[name.rstrip(":")] = int(value) * 1024  # kB

def size_bytes(text):  # alderd's --cache_size syntax: number + B, KB, MB, GB (powers of 1024)
    m = re.fullmatch(r"(\d+)(B|KB|MB|GB)?", text)
    if not m:
        sys.exit(f"compare-redis: cannot read --cache_size {text!r}")
    return int(m.group(1)) * {None: 1, "B": 1, "KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30}[m.group(2)]

def ms(us):
    return us / 1000.0

rows = []
def compare(name, redis_row, alder, goal):
    r_ops, a_ops = float(redis_row["rps"]), alder["ops_per_sec"]
    ratio = a_ops / r_ops if r_ops else 0.0
    rows.append((f"{name} ops/s", f"{r_ops:,.0f}", f"{a_ops:,.0f}", f"{ratio:.2f}",
                 f">= {goal:.1f}", "met" if ratio >= goal else "NOT met"))
    for p in ("p50", "p99"):
        r_lat = redis_row.get(f"{p}_latency_ms")
        rows.append((f"{name} {p} latency ms", f"{float(r_lat):.3f}" if r_lat else "n/a",
                     f"{ms(alder['latency_us'][p]):.3f}", "", "", ""))

compare("put", redis["SET"], put["put"], 1.0)
compare("get", redis["GET"], get["get"], 0.5)

header = ("", "redis", "alder", "ratio", "goal", "")
widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]
print(f"\nAlder vs Redis on loopback: {operations} requests each, 32 connections, 100-byte values,")
print("100000 keys; redis appendfsync always, alderd durability fsync.\n")
for r in [header] + rows:
    print("  ".join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(r)).rstrip())

cache = size_bytes(cache_text)
hwm = memory.get("VmHWM", 0)
print(f"\nalderd memory after loading {load['preload']['ops']:,} keys "
      f"({load['preload']['ops_per_sec']:,.0f} puts/s):")
print(f"  peak RSS (VmHWM) {hwm / 2**20:,.1f} MiB, now {memory.get('VmRSS', 0) / 2**20:,.1f} MiB; "
      f"WiredTiger cache_size {cache_text} = {cache / 2**20:,.1f} MiB; "
      f"peak RSS / cache = {hwm / cache:.2f}")

errors = {"put run": put["error_count"], "get run": get["error_count"],
          "preload": get["preload"]["error_count"] + load["preload"]["error_count"]}
if any(errors.values()):
    print("\nalder errors: " + ", ".join(f"{k} {v}" for k, v in errors.items() if v))
    for run in (put, get, load):
        if run.get("first_error"):
            print(f"  first error: {run['first_error']}")
if get["get"]["misses"]:
    print(f"\nnote: {get['get']['misses']} alder gets missed (expected 0 after the preload)")
PY
