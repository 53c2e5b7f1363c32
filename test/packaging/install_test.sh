#!/usr/bin/env bash
# The Debian packages as an operator gets them (DESIGN.md section 12): built
# by packaging/build-debs.sh into $ALDER_DEB_DIR, installed on this machine
# with apt-get, alderd started exactly as alderd.service does (this machine
# has no systemd as PID 1: the unit's ExecStart as its User, in its
# WorkingDirectory, with its UMask, through runuser), used through the
# installed alder and Python client, reinstalled, removed and purged.
# Prints one "ok"/"not ok" line per check; exits 1 if any failed.
# Needs root (it installs packages and creates the user alder); it leaves
# the machine as it found it: no alder packages, user or /var/lib/alder.
set -uo pipefail
DEBS=$(realpath -m "${ALDER_DEB_DIR:?set ALDER_DEB_DIR to the folder packaging/build-debs.sh wrote}")
EXPECTED_VERSION=${ALDER_PROJECT_VERSION:?set ALDER_PROJECT_VERSION to CMake\'s project version}
UNIT=/lib/systemd/system/alderd.service
CONF=/etc/alder/alderd.conf
DATA=/var/lib/alder
PACKAGES=(alder-server alder-tools alder-thrift python3-alder)
export DEBIAN_FRONTEND=noninteractive

passed=0 failed=0
check() {  # check DESCRIPTION COMMAND...: runs COMMAND, reports, counts
  local description=$1; shift
  if output=$("$@" 2>&1); then
    passed=$((passed + 1)); echo "ok - $description"
  else
    failed=$((failed + 1)); echo "not ok - $description"; printf '    %s\n' "$output" | head -n 20
  fi
}
fatal() { echo "install_test: $*" >&2; cleanup; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
mode_owner() { [ "$(stat -c '%a %U:%G' "$1")" = "$2" ] || { echo "$1 is $(stat -c '%a %U:%G' "$1"), not $2"; return 1; }; }
unit_value() { sed -n "s/^$1=//p" "$UNIT" | tail -n 1; }

purge_everything() {
  apt-get purge -y -qq "${PACKAGES[@]}" >/dev/null 2>&1
  rm -rf "$DATA"
  if getent passwd alder >/dev/null; then deluser --quiet --system alder >/dev/null 2>&1; fi
  if getent group alder >/dev/null; then delgroup --quiet --system alder >/dev/null 2>&1; fi
}
stop_alderd() {  # every alderd of user alder, by SIGTERM
  local pids
  getent passwd alder >/dev/null || return 0
  pids=$(pgrep -u alder -x alderd) || return 0
  kill -TERM $pids
  for _ in $(seq 600); do pgrep -u alder -x alderd >/dev/null || return 0; sleep 0.1; done
  echo "alderd did not stop within 60 s of SIGTERM"; return 1
}
wait_for_port() {  # wait_for_port PORT: until `alder status` answers there (30 s)
  for _ in $(seq 300); do
    alder --port "$1" --timeout 1s status >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "nothing answered on port $1"; return 1
}
cleanup() { stop_alderd >/dev/null; purge_everything; }
trap cleanup EXIT

# Starts alderd as the unit would and waits (at most 30 s) until its client
# port, read from the conffile, answers `alder status`.
start_like_the_unit() {
  local exec_start user directory umask_value port
  exec_start=$(unit_value ExecStart) user=$(unit_value User)
  directory=$(unit_value WorkingDirectory) umask_value=$(unit_value UMask)
  port=$(sed -n 's/^listen = .*://p' "$CONF")
  (cd "$directory" && umask "$umask_value" &&
    exec runuser -u "$user" -- $exec_start >>"$LOG" 2>&1) &
  wait_for_port "$port" || { echo "its log:"; cat "$LOG"; return 1; }
}

# README's "A three-node cluster from the packages", on loopback: three
# config files that differ in node_id and addresses, one alderd each as user
# alder; a write at ALL through node 1 is then read through nodes 2 and 3.
three_nodes_from_config_files() {
  local work peers="" n
  work=$(mktemp -d) && chmod 755 "$work"
  for n in 1 2 3; do
    CLIENT[$n]=$(free_port) INTER[$n]=$(free_port)
    peers+="${peers:+,}$n@127.0.0.1:${INTER[$n]}"
  done
  for n in 1 2 3; do
    install -d -o alder -g alder -m 0750 "$work/node$n"
    printf '%s\n' "node_id = $n" "data_dir = $work/node$n" "listen = 127.0.0.1:${CLIENT[$n]}" \
      "internode_listen = 127.0.0.1:${INTER[$n]}" "metrics_listen =" "peers = $peers" \
      "replication_factor = 3" "durability = process" >"$work/node$n.conf"
    runuser -u alder -- /usr/bin/alderd --config "$work/node$n.conf" >>"$LOG" 2>&1 &
  done
  for n in 1 2 3; do wait_for_port "${CLIENT[$n]}" || return 1; done
  for _ in $(seq 100); do alder --port "${CLIENT[1]}" status >/dev/null && break; sleep 0.1; done
  alder --port "${CLIENT[1]}" put replicated everywhere --consistency all &&
    [ "$(alder --port "${CLIENT[2]}" get replicated --consistency one)" = everywhere ] &&
    [ "$(alder --port "${CLIENT[3]}" get replicated --consistency one)" = everywhere ] &&
    alder --port "${CLIENT[2]}" status >/dev/null   # exit 0: every node up
  local verdict=$?
  stop_alderd && rm -rf "$work"
  return $verdict
}

[ "$(id -u)" -eq 0 ] || { echo "install_test: needs root (apt-get, runuser)" >&2; exit 1; }
ls "$DEBS"/alder-server_*.deb >/dev/null 2>&1 || { echo "install_test: no packages in $DEBS; run packaging/build-debs.sh" >&2; exit 1; }
LOG=$(mktemp) && chmod 644 "$LOG"
purge_everything

# --- lintian and the unit, before anything is installed -------------------
check "lintian: no errors and no warnings on the .changes and every .deb" \
  lintian --fail-on error,warning "$DEBS"/*.changes

# --- install -------------------------------------------------------------
for p in "${PACKAGES[@]}"; do debs+=("$(ls "$DEBS"/${p}_*.deb)"); done
apt-get install -y -qq "${debs[@]}" >/dev/null 2>&1 || fatal "apt-get install failed: $(apt-get install -y "${debs[@]}" 2>&1 | tail -5)"
check "all four packages installed" dpkg-query -W "${PACKAGES[@]}"
check "systemd-analyze verify: the unit is clean" systemd-analyze verify "$UNIT"
check "alderd --version is the package's and CMake's version" \
  test "$(alderd --version)" = "alderd $EXPECTED_VERSION" -a \
       "$(dpkg-query -W -f='${Version}' alder-server)" = "$EXPECTED_VERSION"
check "alder --version is the package's version" test "$(alder --version)" = "alder $EXPECTED_VERSION"
check "user alder: a system user, no login shell, home $DATA" \
  bash -c '[[ $(getent passwd alder) =~ ^alder:x:([0-9]+):([0-9]+):[^:]*:/var/lib/alder:/usr/sbin/nologin$ ]] &&
           (( BASH_REMATCH[1] < 1000 )) && getent group alder >/dev/null'
check "$DATA is alder's, mode 0750" mode_owner "$DATA" "750 alder:alder"
check "/usr/bin/alderd and /usr/bin/alder are root's, 0755" \
  bash -c "$(declare -f mode_owner); mode_owner /usr/bin/alderd '755 root:root' && mode_owner /usr/bin/alder '755 root:root'"
check "$CONF is a conffile, root's, 0644" \
  bash -c "$(declare -f mode_owner); mode_owner $CONF '644 root:root' && dpkg-query -W -f='\${Conffiles}' alder-server | grep -q ' $CONF '"
check "$CONF is alderd's own list of every setting, data_dir $DATA" \
  diff <(alderd --print-config --data_dir "$DATA") "$CONF"
check "the IDL is in /usr/share/alder/thrift" test -s /usr/share/alder/thrift/alder.thrift
check "man pages alderd(8) and alder(1)" \
  bash -c 'zgrep -q "print\\\\-config" /usr/share/man/man8/alderd.8.gz && zgrep -q "^\.SS repair" /usr/share/man/man1/alder.1.gz'
check "bash completion offers the commands" \
  bash -c 'source /usr/share/bash-completion/completions/alder; COMP_WORDS=(alder re); COMP_CWORD=1; _alder;
           [[ " ${COMPREPLY[*]} " == *" repair "* ]]'
check "the unit is hardened as documented" bash -c "grep -qx 'NoNewPrivileges=yes' $UNIT &&
  grep -qx 'ProtectSystem=strict' $UNIT && grep -qx 'ReadWritePaths=$DATA' $UNIT && grep -qx 'User=alder' $UNIT"
check "an upgrade restarts alderd (dh_installsystemd's postinst)" \
  grep -q '_dh_action=restart' /var/lib/dpkg/info/alder-server.postinst

# --- run it as the unit does, on ports the conffile sets --------------------
PORT=$(free_port) INTERNODE=$(free_port) METRICS=$(free_port)
sed -i -e "s/^# listen = .*/listen = 127.0.0.1:$PORT/" \
       -e "s/^# internode_listen = .*/internode_listen = 127.0.0.1:$INTERNODE/" \
       -e "s/^# metrics_listen = .*/metrics_listen = 127.0.0.1:$METRICS/" \
       -e "s/^# durability = .*/durability = process/" "$CONF"
check "alderd starts as the unit starts it, on the port the conffile says" start_like_the_unit
check "alderd runs as user alder" \
  bash -c '[ "$(ps -o user:20= -p "$(pgrep -f -x "/usr/bin/alderd --config /etc/alder/alderd.conf")" | tr -d " ")" = alder ]'
check "put and get through the installed alder" \
  bash -c "alder --port $PORT put greeting hello && [ \"\$(alder --port $PORT get greeting)\" = hello ]"
check "the installed Python client reads the same value" /usr/bin/python3 -c "
import alder
with alder.Client(['127.0.0.1:$PORT'], timeout=5) as c:
    assert c.get('greeting').value == b'hello'
    c.put('from-python', b'\x00\xff')"
check "alderd's files in $DATA are alder's and not world-readable" \
  bash -c "[ -z \"\$(find $DATA -mindepth 1 \\( ! -user alder -o -perm /o=r \\) -print)\" ] && [ -n \"\$(ls $DATA)\" ]"
check "metrics on the port the conffile says" /usr/bin/python3 -c "
import urllib.request
text = urllib.request.urlopen('http://127.0.0.1:$METRICS/metrics', timeout=5).read().decode()
assert 'alder_client_requests_total{' in text, text[:500]"

# A changed setting takes effect at the next start.
sed -i "s/^# max_value_bytes = .*/max_value_bytes = 1000/" "$CONF"
check "stop (SIGTERM) is clean" stop_alderd
check "restart with max_value_bytes = 1000 in the conffile" start_like_the_unit
check "a 2000-byte value is now refused as invalid (exit 2)" \
  bash -c "head -c 2000 /dev/zero | alder --port $PORT put big -; [ \$? -eq 2 ]"
check "the data survived the restart" bash -c "[ \"\$(alder --port $PORT get greeting)\" = hello ]"
stop_alderd >/dev/null
check "three nodes from three config files replicate (README)" three_nodes_from_config_files

# --- upgrade (reinstall), remove, purge ------------------------------------
apt-get install -y -qq --reinstall "${debs[0]}" >/dev/null 2>&1
check "reinstalling keeps the changed conffile" grep -q '^max_value_bytes = 1000$' "$CONF"
data_still_there() { start_like_the_unit && [ "$(alder --port "$PORT" get greeting)" = hello ]; }
check "after reinstalling, the data is still there" data_still_there
stop_alderd >/dev/null
apt-get remove -y -qq alder-server >/dev/null 2>&1
check "remove keeps the config and the data" test -f "$CONF" -a -d "$DATA/" -a ! -e /usr/bin/alderd
export PURGE_OUTPUT; PURGE_OUTPUT=$(apt-get purge -y alder-server 2>&1)
check "purge removes the config" test ! -e "$CONF" -a ! -e /etc/alder
check "purge keeps the data and says where it is" \
  bash -c "[ -n \"\$(ls $DATA)\" ] && grep -q 'the data in $DATA was kept' <<<\"\$PURGE_OUTPUT\""

echo "install_test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
