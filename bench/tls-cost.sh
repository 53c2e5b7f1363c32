#!/usr/bin/env bash
# What TLS on both ports costs (issue 12). One command:
#
#   bench/tls-cost.sh [-n OPERATIONS] [--rounds R] [--durability D] [--keep]
#
#   -n OPERATIONS  requests per measured run (default 100000)
#   --rounds R     runs of each cluster, alternating, to average out drift (default 3)
#   --durability D process (default) or fsync: process keeps the log flush
#                  out of each put, so that the CPU that TLS adds shows
#   --keep         keep the temporary directory (data, logs, raw results)
#
# Two 3-node clusters (replication factor 3, QUORUM) on loopback, started
# afresh each round: one plaintext, one with mutual TLS on the client port
# and between nodes (certificates by scripts/make-certs.sh). On each, with 32
# connections to node 1, 100-byte values and 100000 keys:
#   alder bench --concurrency 32 --read-ratio 0 -n N            (puts)
#   alder bench --concurrency 32 --read-ratio 1 --preload -n N  (gets)
# The report gives the median ops/s of each and their ratio, TLS/plaintext;
# goal: at least 0.85. Then handshakes per second: `openssl s_time -new`
# opening TLS connections to node 1 (a full handshake each, with the client
# certificate) for 10 s. Exit code 0 when the runs completed (goal met or not).
set -euo pipefail
BENCH_NAME=tls-cost
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

OPERATIONS=100000
ROUNDS=3
DURABILITY=process
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

need_tools "$PYTHON" openssl
need_alder "alderd alder"
make_work alder-tls-cost.XXXXXX
CERTS=$WORK/certs
"$ROOT/scripts/make-certs.sh" "$CERTS" --nodes 3 >&3
TLS_CLIENT=(--tls-ca "$CERTS/ca.pem" --tls-cert "$CERTS/client-admin.pem"
  --tls-key "$CERTS/client-admin.key")

# start_cluster NAME tls|plain: three nodes; their pids in CLUSTER_PIDS, node 1's
# client port in PORT1.
start_cluster() {
  local name=$1 mode=$2 n port peers="" client_ports=() internode_ports=()
  for n in 1 2 3; do
    free_port port
    client_ports+=("$port")
    free_port port
    internode_ports+=("$port")
    peers+="${peers:+,}$n@127.0.0.1:${internode_ports[n - 1]}"
  done
  CLUSTER_PIDS=()
  for n in 1 2 3; do
    local tls=()
    if [[ $mode == tls ]]; then
      tls=(--client_tls mutual --internode_tls mutual --tls_cert_file "$CERTS/node-$n.pem"
        --tls_key_file "$CERTS/node-$n.key" --tls_ca_file "$CERTS/ca.pem")
    fi
    start_alderd "$name-node$n" --node_id "$n" --listen "127.0.0.1:${client_ports[n - 1]}" \
      --internode_listen "127.0.0.1:${internode_ports[n - 1]}" --peers "$peers" \
      --replication_factor 3 --durability "$DURABILITY" "${tls[@]}"
    CLUSTER_PIDS+=("$STARTED")
  done
  for n in 1 2 3; do wait_for_port "${client_ports[n - 1]}" "${CLUSTER_PIDS[n - 1]}" "node $n"; done
  PORT1=${client_ports[0]}
  local client=()
  [[ $mode == tls ]] && client=("${TLS_CLIENT[@]}")
  ALDER_CLIENT=("$ALDER" "${client[@]}")
  local tries
  for ((tries = 0; ; tries++)); do
    "${ALDER_CLIENT[@]}" --port "$PORT1" --timeout 2s status >"$WORK/status.txt" 2>&1 && break
    ((tries < 60)) || { cat "$WORK/status.txt" >&3; die "$name: node 1 does not see every node up"; }
    sleep 0.5
  done
}

# bench_pair LABEL: the put run and the get run against node 1.
bench_pair() {
  local label=$1 common=(--port "$PORT1" bench --concurrency 32 --value-size 100 --keys 100000 --json)
  run "${ALDER_CLIENT[@]}" "${common[@]}" --read-ratio 0 --operations "$OPERATIONS" \
    >"$WORK/$label-put.json"
  run "${ALDER_CLIENT[@]}" "${common[@]}" --read-ratio 1 --preload --operations "$OPERATIONS" \
    >"$WORK/$label-get.json"
}

for ((round = 1; round <= ROUNDS; round++)); do
  for mode in plain tls; do
    say "round $round of $ROUNDS: $mode cluster, put x $OPERATIONS, then get x $OPERATIONS"
    start_cluster "$mode-$round" "$mode"
    bench_pair "$mode-$round"
    if [[ $mode == tls && $round == "$ROUNDS" ]]; then
      say "handshakes: openssl s_time -new for 10 s against node 1"
      run openssl s_time -connect "127.0.0.1:$PORT1" -new -time 10 -CAfile "$CERTS/ca.pem" \
        -cert "$CERTS/client-admin.pem" -key "$CERTS/client-admin.key" >"$WORK/s_time.txt" 2>&1 || true
    fi
    stop "${CLUSTER_PIDS[@]}"
  done
done

# --- Report ----------------------------------------------------------------------
"$PYTHON" - "$WORK" "$OPERATIONS" "$ROUNDS" "$DURABILITY" <<'PY'
import json, re, statistics, sys
work, operations, rounds, durability = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
GOAL = 0.85

def ops(mode, kind):
    return [json.load(open(f"{work}/{mode}-{r}-{kind}.json"))[kind]["ops_per_sec"]
            for r in range(1, rounds + 1)]

print(f"\n3-node clusters (replication factor 3, QUORUM) on loopback, durability {durability}:")
print(f"plaintext against mutual TLS on the client port and between nodes; {operations}")
print(f"requests per run, 32 connections to node 1, 100-byte values, 100000 keys;")
print(f"median of {rounds} alternating rounds.\n")
print(f"{'':10} {'plaintext':>12} {'TLS':>12} {'TLS/plain':>10} {'goal':>7}")
for kind in ("put", "get"):
    plain, tls = statistics.median(ops("plain", kind)), statistics.median(ops("tls", kind))
    ratio = tls / plain if plain else 0.0
    print(f"{kind + ' ops/s':10} {plain:>12,.0f} {tls:>12,.0f} {ratio:>10.2f} {'>= ' + str(GOAL):>7}"
          f"  {'met' if ratio >= GOAL else 'NOT met'}")
    print(f"{'':10} {'rounds: ' + ', '.join(f'{x:,.0f}' for x in ops('plain', kind)):>40}")
    print(f"{'':10} {'TLS:    ' + ', '.join(f'{x:,.0f}' for x in ops('tls', kind)):>40}")
text = open(f"{work}/s_time.txt").read()
m = re.search(r"(\d+) connections in (\d+) real seconds", text)
if m:
    n, secs = int(m.group(1)), float(m.group(2))
    print(f"\nhandshakes: {n / secs:,.0f}/s (openssl s_time -new, one client: {n} full TLS"
          f" handshakes in {secs:.0f} s, against node 1, client certificate presented)")
else:
    print("\nhandshakes: openssl s_time gave no figure:\n" + text[-500:])
PY
