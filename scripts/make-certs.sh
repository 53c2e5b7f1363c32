#!/usr/bin/env bash
# Makes a CA and the certificates to run Alder with TLS (DESIGN.md section
# 13), with the openssl command-line tool: for each node N a certificate
# naming it alder-node-N (subject CN and DNS SAN, plus DNS:localhost and
# IP:127.0.0.1 so that clients on this machine can check the host name), and
# for each client NAME a client certificate with CN=NAME. Keys are ECDSA
# P-256. For trying TLS and for tests; production certificates come from
# the operator's own CA.
#
#   scripts/make-certs.sh DIR [--nodes N] [--clients "NAME ..."] [--days D]
#                             [--expired-client NAME]
#
# Writes into DIR: ca.pem ca.key, node-N.pem node-N.key (N = 1..nodes,
# default 3), client-NAME.pem client-NAME.key (default clients: admin writer
# reader), and with --expired-client a client certificate that expired
# yesterday (made under faketime). Existing files in DIR are replaced, the
# CA included: certificates of an earlier run are not trusted by the new one.
set -euo pipefail

usage() { sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
[[ $# -ge 1 && $1 != -* ]] || usage
DIR=$1; shift
NODES=3
CLIENTS="admin writer reader"
DAYS=825
EXPIRED=""
while (($#)); do
  case $1 in
    --nodes) NODES=$2; shift 2 ;;
    --clients) CLIENTS=$2; shift 2 ;;
    --days) DAYS=$2; shift 2 ;;
    --expired-client) EXPIRED=$2; shift 2 ;;
    *) usage ;;
  esac
done
[[ $NODES =~ ^[1-9][0-9]*$ ]] || { echo "make-certs: --nodes takes a positive number" >&2; exit 2; }
mkdir -p "$DIR"
cd "$DIR"
umask 077  # keys readable by their owner only

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

openssl_quiet() { openssl "$@" 2>/dev/null >/dev/null; }

key ca.key
openssl_quiet req -x509 -new -key ca.key -out ca.pem -days "$DAYS" -subj "/CN=Alder test CA $(date +%s%N)" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"

# sign NAME CN EXTENSIONS [FAKETIME]: NAME.pem for NAME.key, signed by the CA.
sign() {
  local name=$1 cn=$2 extensions=$3 when=${4:-}
  key "$name.key"
  openssl_quiet req -new -key "$name.key" -out "$name.csr" -subj "/CN=$cn"
  printf '%s\n' "$extensions" > "$name.ext"
  if [[ -n $when ]]; then
    faketime -f "$when" openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial \
      -out "$name.pem" -days 1 -extfile "$name.ext" 2>/dev/null
  else
    openssl_quiet x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial \
      -out "$name.pem" -days "$DAYS" -extfile "$name.ext"
  fi
  rm -f "$name.csr" "$name.ext"
}

for ((n = 1; n <= NODES; n++)); do
  sign "node-$n" "alder-node-$n" "subjectAltName=DNS:alder-node-$n,DNS:localhost,IP:127.0.0.1
extendedKeyUsage=serverAuth,clientAuth
keyUsage=critical,digitalSignature"
done
for c in $CLIENTS; do
  sign "client-$c" "$c" "extendedKeyUsage=clientAuth
keyUsage=critical,digitalSignature"
done
if [[ -n $EXPIRED ]]; then
  sign "client-$EXPIRED" "$EXPIRED" "extendedKeyUsage=clientAuth
keyUsage=critical,digitalSignature" "-2d"
fi
rm -f ca.srl
chmod 644 ./*.pem
echo "make-certs: CA, $NODES node and $(wc -w <<<"$CLIENTS $EXPIRED") client certificates in $PWD"
