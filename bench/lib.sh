# shellcheck shell=bash
# Plumbing shared by the bench/ scripts. Each sets, then sources this file:
#
#   BENCH_NAME=compare-cluster   # prefix of its messages ("compare-cluster: ...")
#   STOP_LIMIT=120               # optional: seconds stop() waits for a process
#                                # after SIGTERM before failing (default 0: no limit)
#   . "$(dirname "$0")/lib.sh"
#
# It sets ROOT (the repository), BUILD_DIR, PYTHON and fd 3 (a copy of
# stderr), and provides:
#   usage                       print the script's header comment (its help)
#   usage_error MESSAGE         MESSAGE on stderr, exit 2
#   need_positive_int FLAG V    usage_error unless V is a positive integer
#   say MESSAGE / die MESSAGE   a message on fd 3; die then exits 1
#   need_tools TOOL...          scripts/setup.sh, then every TOOL must exist
#   need_alder TARGETS          ALDERD, ALDER; built with scripts/build.sh if
#                               missing: ALDER_TARGETS=TARGETS, or "" for its
#                               default (everything, or $ALDER_TARGETS)
#   make_work TEMPLATE          WORK, a temporary directory, and the cleanup
#                               traps (KEEP=1 keeps it)
#   free_port VAR               VAR = a free loopback port not handed out before
#   wait_for_port PORT PID NAME [SECONDS]   until PORT accepts connections (30 s)
#   wait_all_up PORT SECONDS [WHO]          until 'alder status' on PORT exits 0
#   start_alderd NAME ARGS...   alderd --data_dir $WORK/NAME ARGS, log appended
#                               to $WORK/NAME.log; its pid in STARTED
#   run CMD... / run_for SECONDS CMD...     a client, in the background, waited for
#   stop PID...                 SIGTERM, wait for each to exit
#   forget PID                  no longer ours to clean up
#   now_ms                      milliseconds since the epoch
# The script itself keeps its flags, its steps and its report.

: "${BENCH_NAME:?set BENCH_NAME before sourcing bench/lib.sh}"
STOP_LIMIT=${STOP_LIMIT:-0}
KEEP=${KEEP:-0}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${ALDER_BUILD_DIR:-$ROOT/build}
PYTHON=/usr/bin/python3  # Debian's interpreter, whatever python3 is first on PATH
ALDERD=$BUILD_DIR/server/alderd
ALDER=$BUILD_DIR/tools/alder

# Messages go to fd 3, a copy of the original stderr: a trap can run while a
# function's stderr is redirected to a log, and its messages must not land there.
exec 3>&2
say() { echo "$BENCH_NAME: $*" >&3; }
die() { say "$*"; exit 1; }

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
usage_error() { echo "$BENCH_NAME: $*" >&2; exit 2; }
need_positive_int() {
  [[ $2 =~ ^[1-9][0-9]*$ ]] || usage_error "$1 must be a positive integer"
}

# --- Dependencies -------------------------------------------------------------
need_tools() {
  "$ROOT/scripts/setup.sh"
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || die "$tool not found even after scripts/setup.sh"
  done
}

need_alder() {
  if [[ ! -x $ALDERD || ! -x $ALDER ]]; then
    say "building Alder into $BUILD_DIR"
    if [[ -n $1 ]]; then
      ALDER_BUILD_DIR=$BUILD_DIR ALDER_TARGETS="$1" "$ROOT/scripts/build.sh"
    else
      ALDER_BUILD_DIR=$BUILD_DIR "$ROOT/scripts/build.sh"
    fi
  fi
  [[ -x $ALDERD && -x $ALDER ]] || die "no $ALDERD or $ALDER after building"
}

# --- Processes and cleanup -------------------------------------------------------
make_work() {
  WORK=$(mktemp -d -t "$1")
  PIDS=()
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

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

# wait_for_port PORT PID NAME [SECONDS]: until PORT accepts connections, at
# most SECONDS (default 30); fails if PID dies.
wait_for_port() {
  local port=$1 pid=$2 name=$3 limit=${4:-30}
  for _ in $(seq $((limit * 10))); do
    kill -0 "$pid" 2>/dev/null || die "$name exited during start-up"
    if (exec 4<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  die "$name did not listen on 127.0.0.1:$port within $limit s"
}

# wait_all_up PORT SECONDS [WHO]: until the node on PORT sees every node up
# (alder status exits 0), at most SECONDS; WHO names it in the message
# (default "node on PORT").
wait_all_up() {
  local port=$1 limit=$2 who=${3:-"node on $1"} tries
  for ((tries = 0; ; tries++)); do
    if "$ALDER" --port "$port" --timeout 2s status >"$WORK/status.txt" 2>&1; then return 0; fi
    ((tries < limit * 2)) || { cat "$WORK/status.txt" >&3; die "$who does not see every node up after $limit s"; }
    sleep 0.5
  done
}

# start_alderd NAME ARGS...: one alderd in the background, logging to
# $WORK/NAME.log (appended: a restarted node keeps one log); its pid in STARTED.
start_alderd() {
  local name=$1
  shift
  # Several nodes run side by side: no metrics endpoint unless asked for.
  local metrics=(--metrics_listen "")
  [[ " $* " == *" --metrics_listen "* ]] && metrics=()
  "$ALDERD" --data_dir "$WORK/$name" "${metrics[@]}" "$@" >>"$WORK/$name.log" 2>&1 &
  STARTED=$!
  PIDS+=("$STARTED")
}

# forget PID: no longer ours to clean up.
forget() {
  local pid=$1 p remaining=()
  for p in "${PIDS[@]}"; do [[ $p == "$pid" ]] || remaining+=("$p"); done
  PIDS=("${remaining[@]+"${remaining[@]}"}")
}

# stop PID...: SIGTERM to all, wait for each to exit (at most STOP_LIMIT
# seconds each when that is set, then fail).
stop() {
  local pid
  for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "$@"; do
    if ((STOP_LIMIT > 0)); then
      for _ in $(seq $((STOP_LIMIT * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && die "process $pid did not exit within $STOP_LIMIT s of SIGTERM"
    fi
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

# run_for SECONDS CMD...: run, the client killed after SECONDS (exit 124).
run_for() {
  local limit=$1 status=0
  shift
  run timeout "$limit" "$@" || status=$?
  ((status != 124)) || say "gave up after $limit s: $*"
  return "$status"
}

now_ms() { date +%s%3N; }
