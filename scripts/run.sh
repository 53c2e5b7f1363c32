#!/usr/bin/env bash
# Sets everything up and runs Alder: installs Debian packages, builds, and
# starts a local three-node cluster (replication factor 3, 256 partitions) on
# loopback, every node in the background:
#
#   node  client port     internode port  metrics (/metrics)  data                log
#   1     127.0.0.1:7700  127.0.0.1:7701  127.0.0.1:7702      cluster-data/node1  cluster-data/node1.log
#   2     127.0.0.1:7710  127.0.0.1:7711  127.0.0.1:7712      cluster-data/node2  cluster-data/node2.log
#   3     127.0.0.1:7720  127.0.0.1:7721  127.0.0.1:7722      cluster-data/node3  cluster-data/node3.log
#
# It waits until every node accepts clients, prints how to talk to them, and
# then waits. A node that exits on its own (say, after a kill -9 to try out
# hinted handoff) is reported; the others keep running. Ctrl-C (SIGINT) or
# SIGTERM sends SIGTERM to every node and waits until each has finished the
# requests in flight and closed its data cleanly; a second Ctrl-C kills them.
#
# With --tls, both ports speak mutual TLS (DESIGN.md section 13): a CA and
# certificates are made once into $ALDER_DATA/certs by scripts/make-certs.sh,
# every node requires a client certificate, and the certificates carry the
# permissions admin (client-admin), write (client-writer) and read
# (client-reader). The alder commands shown then take their TLS files from
# ALDER_TLS_CA, ALDER_TLS_CERT and ALDER_TLS_KEY, as printed.
#
# Environment: ALDER_PORT (default 7700) is node 1's client port, node N
# uses ALDER_PORT + 10(N-1) and the two ports after it; ALDER_DATA (default
# cluster-data) holds the data directories and logs; ALDER_BUILD_DIR (default
# build) is where scripts/build.sh builds.
set -euo pipefail
cd "$(dirname "$0")/.."
TLS=0
case "${1:-}" in
  "") ;;
  --tls) TLS=1 ;;
  *) echo "usage: scripts/run.sh [--tls]" >&2; exit 2 ;;
esac
scripts/setup.sh
ALDER_TARGETS="alderd alder alder_api_python" scripts/build.sh
BUILD=${ALDER_BUILD_DIR:-build}
DATA=${ALDER_DATA:-cluster-data}
PORT=${ALDER_PORT:-7700}
NODES=(1 2 3)

say() { echo "run: $*" >&2; }
if ! [[ $PORT =~ ^[1-9][0-9]*$ ]] || ((PORT + 21 > 65535)); then
  say "ALDER_PORT must be a port number with room for 21 more above it, not '$PORT'"
  exit 2
fi
client_port() { echo $((PORT + 10 * ($1 - 1))); }
internode_port() { echo $((PORT + 10 * ($1 - 1) + 1)); }
metrics_port() { echo $((PORT + 10 * ($1 - 1) + 2)); }
PEERS=""
for n in "${NODES[@]}"; do PEERS+="${PEERS:+,}$n@127.0.0.1:$(internode_port "$n")"; done
ALDER="$BUILD/tools/alder"

# --- Processes --------------------------------------------------------------------
declare -A PID_OF=()   # node -> pid, while it runs
STOPPING=0

# last_lines NODE: the end of the node's log, indented.
last_lines() { tail -n 5 "$DATA/node$1.log" 2>/dev/null | sed 's/^/    /' >&2 || true; }

# On the first Ctrl-C or SIGTERM: SIGTERM to every node (each finishes its
# requests in flight and closes WiredTiger with a checkpoint). On a second:
# SIGKILL, for a node that does not stop.
on_signal() {
  local n
  if ((STOPPING)); then
    say "killing nodes ${!PID_OF[*]} (SIGKILL)"
    for n in "${!PID_OF[@]}"; do kill -KILL "${PID_OF[$n]}" 2>/dev/null || true; done
    return
  fi
  STOPPING=1
  echo >&2
  if ((${#PID_OF[@]})); then
    say "stopping nodes ${!PID_OF[*]} (SIGTERM); Ctrl-C again to kill them"
    for n in "${!PID_OF[@]}"; do kill -TERM "${PID_OF[$n]}" 2>/dev/null || true; done
  fi
}
trap on_signal INT TERM

# node_of PID: the node that PID runs, if any.
node_of() {
  local n
  for n in "${!PID_OF[@]}"; do [[ ${PID_OF[$n]} == "$1" ]] && echo "$n"; done
  return 0
}

# reap: waits for the next node to exit (or for a signal) and reports it.
reap() {
  local pid="" status=0 n
  # (stderr: no "Killed" notice with the command line of a node killed by a signal)
  wait -n -p pid "${PID_OF[@]}" 2>/dev/null || status=$?
  [[ -n ${pid:-} ]] || return 0  # a signal interrupted the wait; its trap has run
  n=$(node_of "$pid")
  [[ -n $n ]] || return 0
  unset "PID_OF[$n]"
  local how="with status $status"
  ((status > 128)) && how="on SIG$(kill -l $((status - 128)) 2>/dev/null || echo "$((status - 128))")"
  if ((STOPPING && status == 0)); then
    say "node $n stopped cleanly"
  elif ((STOPPING)); then
    say "node $n exited $how while stopping; last lines of $DATA/node$n.log:"
    last_lines "$n"
    EXIT_STATUS=1
  else
    say "node $n (pid $pid) exited $how; last lines of $DATA/node$n.log:"
    last_lines "$n"
    if ((${#PID_OF[@]})); then say "nodes ${!PID_OF[*]} keep running; Ctrl-C stops them"; fi
    EXIT_STATUS=1
  fi
}
EXIT_STATUS=0

# --- TLS --------------------------------------------------------------------------
CERTS=$DATA/certs
# tls_flags NODE: the node's TLS settings (none without --tls).
tls_flags() {
  ((TLS)) || return 0
  echo --client_tls mutual --internode_tls mutual --client_permissions reader=read,admin=admin \
    --tls_cert_file "$CERTS/node-$1.pem" --tls_key_file "$CERTS/node-$1.key" --tls_ca_file "$CERTS/ca.pem"
}
if ((TLS)); then
  [[ -f $CERTS/ca.pem ]] || scripts/make-certs.sh "$CERTS" --nodes 3 >&2
  CERTS=$(cd "$CERTS" && pwd)  # absolute: the lines printed work from any directory
  export ALDER_TLS_CA=$CERTS/ca.pem ALDER_TLS_CERT=$CERTS/client-admin.pem \
    ALDER_TLS_KEY=$CERTS/client-admin.key
fi

# --- Start --------------------------------------------------------------------------
mkdir -p "$DATA"
# Each node in its own session (setsid): Ctrl-C reaches this script only,
# which stops the nodes in order, instead of racing them to the signal.
for n in "${NODES[@]}"; do
  setsid "$BUILD/server/alderd" --node_id "$n" --data_dir "$DATA/node$n" \
    --listen "127.0.0.1:$(client_port "$n")" --internode_listen "127.0.0.1:$(internode_port "$n")" \
    --metrics_listen "127.0.0.1:$(metrics_port "$n")" \
    --peers "$PEERS" --replication_factor 3 --partitions 256 $(tls_flags "$n") \
    >>"$DATA/node$n.log" 2>&1 &
  PID_OF[$n]=$!
done
say "starting nodes ${NODES[*]} (logs in $DATA/node{1,2,3}.log)"

# Until every node accepts connections on its client port (30 s at most). A
# node that exits during start-up stops the whole cluster.
accepts() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for n in "${NODES[@]}"; do
  for ((tries = 0; ; tries++)); do
    ((STOPPING)) && break 2
    if ! kill -0 "${PID_OF[$n]}" 2>/dev/null; then
      status=0
      wait "${PID_OF[$n]}" || status=$?
      unset "PID_OF[$n]"
      say "node $n exited during start-up (status $status); last lines of $DATA/node$n.log:"
      last_lines "$n"
      on_signal
      EXIT_STATUS=1
      break 2
    fi
    accepts "$(client_port "$n")" && break
    if ((tries >= 300)); then
      say "node $n does not accept connections on 127.0.0.1:$(client_port "$n") after 30 s"
      on_signal
      EXIT_STATUS=1
      break 2
    fi
    sleep 0.1
  done
done

if ((!STOPPING)); then
  P1=$(client_port 1) P2=$(client_port 2) P3=$(client_port 3)
  # Heartbeats take a moment to find every node; show the cluster once they have.
  for _ in $(seq 20); do
    ((STOPPING)) && break
    "$ALDER" --port "$P1" --timeout 2s status >/dev/null 2>&1 && break
    sleep 0.5
  done
  if ((!STOPPING)); then
    "$ALDER" --port "$P1" --timeout 2s status || true
    cat <<MSG

Alder is running: 3 nodes on 127.0.0.1, replication factor 3, data in $DATA/.
  node 1: clients on port $P1, internode $(internode_port 1), log $DATA/node1.log
  node 2: clients on port $P2, internode $(internode_port 2), log $DATA/node2.log
  node 3: clients on port $P3, internode $(internode_port 3), log $DATA/node3.log

Any node coordinates any request. From another terminal, in $PWD:
MSG
    if ((TLS)); then
      cat <<MSG
  export ALDER_TLS_CA=$ALDER_TLS_CA
  export ALDER_TLS_CERT=$ALDER_TLS_CERT
  export ALDER_TLS_KEY=$ALDER_TLS_KEY
  (both ports speak mutual TLS; client-reader.pem may only read, client-writer.pem
  also write, client-admin.pem everything; all in $CERTS/)
MSG
    fi
    example() { printf '  %-56s # %s\n' "$ALDER --port $1" "$2"; }
    example "$P1 put greeting hello" "node 1 coordinates, 3 replicas store it"
    example "$P2 get greeting" "prints: hello"
    example "$P3 put session:42 token --ttl 30m --consistency all" "wait for all replicas"
    example "$P2 status" "the cluster as node 2 sees it"
    if ((TLS)); then
      cat <<MSG

From Python 3 over TLS (Debian's interpreter, which has python3-thrift), as
test/python/tls_client.py does:
  PYTHONPATH=$BUILD/thrift/gen/py /usr/bin/python3 test/python/tls_client.py $P2 \\
    \$ALDER_TLS_CA \$ALDER_TLS_CERT \$ALDER_TLS_KEY put user:1 "any bytes"

MSG
    else
      cat <<MSG

From Python 3 (Debian's interpreter, which has python3-thrift):
  /usr/bin/python3 - <<'PY'
  import sys; sys.path.insert(0, "$BUILD/thrift/gen/py")
  from thrift.transport import TSocket, TTransport
  from thrift.protocol import TBinaryProtocol
  from alder_api import Alder
  from alder_api.ttypes import Consistency, ReadOptions, WriteOptions

  transport = TTransport.TFramedTransport(TSocket.TSocket("127.0.0.1", $P2))
  client = Alder.Client(TBinaryProtocol.TBinaryProtocol(transport))
  transport.open()
  client.put("user:1", b"any bytes", WriteOptions(consistency=Consistency.ALL))
  print(client.get("user:1", ReadOptions(consistency=Consistency.ONE)).value)
  for node in client.status().nodes:
      print(node.node_id, node.internode_address, "up" if node.up else "down")
  transport.close()
  PY

MSG
    fi
    cat <<MSG
Press Ctrl-C to stop all three nodes cleanly.
MSG
  fi
fi

# --- Wait ---------------------------------------------------------------------------
while ((${#PID_OF[@]})); do reap; done
((STOPPING)) && say "stopped"
exit "$EXIT_STATUS"
