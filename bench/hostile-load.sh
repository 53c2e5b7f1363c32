#!/usr/bin/env bash
# Hostile input against a live node, plaintext and TLS (issue 12). One command:
#
#   bench/hostile-load.sh [-n OPERATIONS] [--keep]
#
#   -n OPERATIONS  requests of the well-behaved client per run (default 150000)
#   --keep         keep the temporary directory (data, logs, raw results)
#
# For each of a plaintext node and a node with client_tls = mutual (one node,
# max_connections 64, client_idle_timeout 3s, durability process): a
# well-behaved client (alder bench, 4 connections, half puts, half gets)
# warms the node up, runs OPERATIONS requests alone, then again while bench/hostile_clients.py
# attacks the port for as long: random bytes, TLS garbage, handshakes never
# finished, frames stuck mid-way, and max_connections + 50 idle connections
# held open. The report gives the well-behaved client's ops/s and errors with
# and without the attack, what the attacker made, and alderd's peak RSS
# (VmHWM) before and after the attack. Exit code 0 when the runs completed.
set -euo pipefail
BENCH_NAME=hostile-load
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

OPERATIONS=150000
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
need_tools "$PYTHON" openssl
need_alder "alderd alder"
make_work alder-hostile-load.XXXXXX
CERTS=$WORK/certs
"$ROOT/scripts/make-certs.sh" "$CERTS" --nodes 1 >&3
MAX_CONNECTIONS=64

peak_rss_kib() { awk '/^VmHWM/ { print $2 }' "/proc/$1/status"; }

for mode in plain tls; do
  free_port port
  tls_flags=() client=("$ALDER")
  if [[ $mode == tls ]]; then
    tls_flags=(--client_tls mutual --tls_cert_file "$CERTS/node-1.pem" --tls_key_file
      "$CERTS/node-1.key" --tls_ca_file "$CERTS/ca.pem")
    client+=(--tls-ca "$CERTS/ca.pem" --tls-cert "$CERTS/client-admin.pem" --tls-key
      "$CERTS/client-admin.key")
  fi
  start_alderd "$mode" --listen "127.0.0.1:$port" --max_connections "$MAX_CONNECTIONS" \
    --client_idle_timeout 3s --durability process "${tls_flags[@]}"
  pid=$STARTED
  wait_for_port "$port" "$pid" "$mode alderd"
  bench=("${client[@]}" --port "$port" bench --concurrency 4 --read-ratio 0.5 --value-size 100
    --keys 10000 --json --operations "$OPERATIONS")
  say "$mode: warm-up (preload and one run), then the well-behaved client alone"
  run "${bench[@]}" --preload >"$WORK/$mode-warm-up.json"
  run "${bench[@]}" >"$WORK/$mode-alone.json"
  echo "$(peak_rss_kib "$pid")" >"$WORK/$mode-rss-before"
  seconds=$("$PYTHON" -c "import json,sys; r=json.load(open(sys.argv[1])); print(max(30, round(r['elapsed_s'] * 1.5)))" "$WORK/$mode-alone.json" 2>/dev/null || echo 30)
  say "$mode: again, under attack for up to $seconds s"
  "$PYTHON" "$ROOT/bench/hostile_clients.py" "$port" "$seconds" "$MAX_CONNECTIONS" \
    >"$WORK/$mode-attack.json" &
  attacker=$!
  PIDS+=("$attacker")
  sleep 1  # the attack holds its connections before the client starts
  run "${bench[@]}" >"$WORK/$mode-attacked.json" || say "$mode: the client failed under attack"
  wait "$attacker" || true
  forget "$attacker"
  echo "$(peak_rss_kib "$pid")" >"$WORK/$mode-rss-after"
  kill -0 "$pid" 2>/dev/null || die "$mode alderd died under attack"
  stop "$pid"
done

"$PYTHON" - "$WORK" <<'PY'
import json, sys
work = sys.argv[1]
print("\nOne node (max_connections 64, client_idle_timeout 3s), a well-behaved client of 4")
print("connections (half puts, half gets) alone, then under attack:\n")
for mode in ("plain", "tls"):
    alone = json.load(open(f"{work}/{mode}-alone.json"))
    try:
        attacked = json.load(open(f"{work}/{mode}-attacked.json"))
    except Exception:
        attacked = None
    attack = json.load(open(f"{work}/{mode}-attack.json"))
    before = int(open(f"{work}/{mode}-rss-before").read())
    after = int(open(f"{work}/{mode}-rss-after").read())
    name = "plaintext" if mode == "plain" else "mutual TLS"
    print(f"{name}:")
    print(f"  alone:        {alone['ops_per_sec']:>9,.0f} ops/s, {alone['error_count']} errors")
    if attacked:
        print(f"  under attack: {attacked['ops_per_sec']:>9,.0f} ops/s, {attacked['error_count']} errors"
              f" ({attacked['ops_per_sec'] / alone['ops_per_sec']:.2f} of alone)")
    else:
        print("  under attack: the client did not finish")
    print("  attacker:     " + ", ".join(f"{k} {v}" for k, v in attack.items()))
    print(f"  peak RSS:     {before / 1024:.0f} MiB before the attack, {after / 1024:.0f} MiB after")
PY
