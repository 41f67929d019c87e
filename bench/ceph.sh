#!/usr/bin/env bash
# A single-node, memory-backed Ceph cluster with radosgw on loopback, for the benchmarks.
#
#   bench/ceph.sh start    install the Debian packages when missing, start mon + osd + radosgw,
#                          create the users, the role and its policies; prints KEY=VALUE lines
#   bench/ceph.sh stop     stop every process by its pid file and delete the folder
#   bench/ceph.sh status   say what runs; exit 0 when radosgw answers, 3 when nothing runs
#   bench/ceph.sh env      print the KEY=VALUE lines of the running cluster
#
# Everything (config, mon and osd data, sockets, logs, pid files) lives under CEPH_DIR
# (default: .ceph/ in the repository, git-ignored). Nothing listens beyond 127.0.0.1.
#
# Settings and why (measured here, see the README "Benchmarks"):
# - auth none everywhere and `ms mon client mode = crc`: without the latter radosgw hangs at start
#   with error -13 when auth is none.
# - beast with tcp_nodelay=1: without it every GET and copy stalls ~48 ms (Nagle + delayed ACK).
# - single-replica pools, small pg num, autoscale off: one OSD, two cores.
# - `rgw s3 auth use sts = true` + a 16-character `rgw sts key`: radosgw's STS, so the handler's
#   real AssumeRole path runs.
#
# Environment: CEPH_DIR, CEPH_RGW_PORT (default: a free port), CEPH_PORT_BASE (default: a free
# block of 100 ports for mon and osd), CEPH_MEMSTORE_BYTES (default 6 GiB; memory is only used
# as objects are written).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${CEPH_DIR:-$ROOT/.ceph}"
CONF="$DIR/ceph.conf"
PACKAGES=(radosgw ceph-mon ceph-osd ceph-common)

# Fixed keys, loopback only: the benchmark's own users. Never reuse them anywhere else.
SOURCE_UID=s3push-source
SOURCE_ACCESS_KEY=BENCHSOURCEKEY000001
SOURCE_SECRET_KEY=bench-source-secret-0000000000000000000001
DEST_UID=s3push-destination
DEST_ACCESS_KEY=BENCHDESTKEY00000001
DEST_SECRET_KEY=bench-destination-secret-000000000000000001
ROLE_NAME=s3-push-writer
# radosgw (Pacific) has no IAM accounts; a tenant is the nearest thing, and a tenant named like an
# account id gives the role a real-shaped ARN (arn:aws:iam::210987654321:role/s3-push-writer) that
# the handler's config accepts. Both users live in it because a bucket name resolves inside the
# caller's tenant: a cross-tenant CopySource would need a "tenant:bucket" name no AWS tool sends.
TENANT=210987654321
STS_KEY=s3pushbenchsts16

log() { echo "ceph.sh: $*" >&2; }
die() { log "$*"; if [ "${STARTING:-}" = 1 ]; then on_start_failure; fi; exit 1; }

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

# A block of 100 consecutive free ports for the mon and the osd's messengers, below Linux's
# ephemeral range (32768+), where a client connection could take one between the check and the bind.
free_port_block() {
  local base
  for _ in $(seq 1 50); do
    base=$(( (RANDOM % 220) * 100 + 10000 ))
    if ! ss -Htan "( sport >= :$base and sport <= :$((base + 99)) )" | grep -q .; then
      echo "$base"; return 0
    fi
  done
  die "no free block of 100 ports found between 10000 and 32000"
}

install_packages() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
    die "missing Debian packages: ${missing[*]} (install them: apt-get install -y --no-install-recommends ${missing[*]})"
  fi
  local SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  log "installing ${missing[*]} (about 40 s)"
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 \
    || die "could not install: ${missing[*]}"
}

pids() {
  local f
  for f in "$DIR"/run/*.pid; do
    [ -f "$f" ] || continue
    local pid
    pid=$(cat "$f")
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then echo "$pid $(basename "$f" .pid)"; fi
  done
}

cmd_stop() {
  [ -d "$DIR" ] || { log "nothing to stop ($DIR does not exist)"; return 0; }
  local list
  list=$(pids)
  # radosgw first, then the osd, the mon last: each stops cleanly while the ones below still run.
  for name in client.rgw.a osd.0 mon.a; do
    local pid
    pid=$(awk -v n="$name" '$2 == n { print $1 }' <<<"$list")
    [ -n "$pid" ] || continue
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then log "$name ($pid) did not stop in 5 s: SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; fi
  done
  rm -rf "$DIR"
  log "stopped"
}

cmd_env() {
  [ -f "$DIR/env" ] || die "not running: $DIR/env does not exist (run: bench/ceph.sh start)"
  cat "$DIR/env"
}

cmd_status() {
  if [ ! -f "$DIR/env" ]; then echo "not running"; exit 3; fi
  pids | sed 's/^/running: pid /'
  # shellcheck disable=SC1091
  . "$DIR/env"
  if curl -sf -o /dev/null "$CEPH_ENDPOINT"; then echo "radosgw answers on $CEPH_ENDPOINT"; else echo "radosgw does not answer on $CEPH_ENDPOINT"; exit 1; fi
}

on_start_failure() {
  trap - ERR
  local keep
  keep=$(mktemp -d /tmp/s3-push-ceph-logs.XXXXXX)
  cp -r "$DIR/log" "$keep/" 2>/dev/null || true
  log "start failed; logs kept in $keep/log; stopping what was started"
  cmd_stop
  exit 1
}

wait_for() { # seconds, description, command...
  local secs=$1 what=$2; shift 2
  local deadline=$(( $(date +%s) + secs ))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || die "timed out after ${secs}s waiting for $what (logs: $DIR/log)"
    sleep 0.2
  done
}

osd_up() { ceph -c "$CONF" osd stat 2>/dev/null | grep -q '1 up'; }

cmd_start() {
  if [ -f "$DIR/env" ] && [ -n "$(pids)" ]; then die "already running (bench/ceph.sh stop first): $DIR"; fi
  rm -rf "$DIR"
  install_packages
  # A start that fails half-way must not leave a mon or an osd running: keep the logs, stop the rest.
  trap 'on_start_failure' ERR
  STARTING=1
  local started=$SECONDS
  mkdir -p "$DIR"/{run,log,mon,osd,rgw}
  local rgw_port=${CEPH_RGW_PORT:-$(free_port)}
  local base=${CEPH_PORT_BASE:-$(free_port_block)}
  local mon_port=$base
  local fsid
  fsid=$(uuidgen)
  cat >"$CONF" <<EOF
[global]
fsid = $fsid
mon host = [v2:127.0.0.1:$mon_port]
mon initial members = a
public addr = 127.0.0.1
ms bind ipv6 = false
ms bind msgr1 = false
ms bind port min = $((base + 1))
ms bind port max = $((base + 99))
auth cluster required = none
auth service required = none
auth client required = none
auth supported = none
ms mon client mode = crc
run dir = $DIR/run
admin socket = $DIR/run/\$name.asok
log file = $DIR/log/\$name.log
pid file = $DIR/run/\$name.pid
keyring = $DIR/keyring
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon max pg per osd = 1000
osd objectstore = memstore
memstore device bytes = ${CEPH_MEMSTORE_BYTES:-6442450944}
osd memory target = 1073741824
crash dir = $DIR/crash
[mon.a]
mon data = $DIR/mon
[osd.0]
osd data = $DIR/osd
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$rgw_port tcp_nodelay=1
rgw data = $DIR/rgw
rgw s3 auth use sts = true
rgw sts key = $STS_KEY
rgw thread pool size = 128
EOF
  ceph-authtool --create-keyring "$DIR/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$mon_port]" "$DIR/monmap" >/dev/null
  ceph-mon -c "$CONF" --mkfs -i a --monmap "$DIR/monmap" --keyring "$DIR/keyring" 2>>"$DIR/log/setup.log"
  ceph-mon -c "$CONF" -i a 2>>"$DIR/log/setup.log"
  wait_for 30 "the monitor" ceph -c "$CONF" mon stat
  local osd_uuid
  osd_uuid=$(uuidgen)
  local osd_id
  osd_id=$(ceph -c "$CONF" osd new "$osd_uuid")
  [ "$osd_id" = 0 ] || die "expected osd id 0, got '$osd_id'"
  ceph-osd -c "$CONF" -i 0 --mkfs --osd-uuid "$osd_uuid" 2>>"$DIR/log/setup.log" >/dev/null
  ceph-osd -c "$CONF" -i 0 2>>"$DIR/log/setup.log"
  wait_for 60 "the osd to be up" osd_up
  radosgw -c "$CONF" -n client.rgw.a 2>>"$DIR/log/setup.log"
  wait_for 90 "radosgw on 127.0.0.1:$rgw_port" curl -sf -o /dev/null "http://127.0.0.1:$rgw_port"

  local admin=(radosgw-admin -c "$CONF")
  "${admin[@]}" user create --tenant="$TENANT" --uid="$SOURCE_UID" --display-name="s3-push source account" \
    --access-key="$SOURCE_ACCESS_KEY" --secret-key="$SOURCE_SECRET_KEY" >/dev/null
  "${admin[@]}" user create --tenant="$TENANT" --uid="$DEST_UID" --display-name="s3-push destination account" \
    --access-key="$DEST_ACCESS_KEY" --secret-key="$DEST_SECRET_KEY" >/dev/null
  # The role the handler assumes. It trusts the source user (the Lambda's identity here); its
  # policy grants what the rendered roleDefinitionDestinationExample.json.tmp grants the destination
  # role: read the source, write the destination.
  local trust policy
  trust='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::'"$TENANT"':user/'"$SOURCE_UID"'"]},"Action":["sts:AssumeRole"]}]}'
  policy='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:ListBucket","s3:GetObject","s3:GetObjectTagging","s3:GetObjectVersion","s3:GetObjectVersionTagging"],"Resource":["arn:aws:s3:::*"]},{"Effect":"Allow","Action":["s3:ListBucket","s3:PutObject","s3:PutObjectTagging","s3:AbortMultipartUpload","s3:ListMultipartUploadParts"],"Resource":["arn:aws:s3:::*"]}]}'
  local role_arn
  role_arn=$("${admin[@]}" role create --tenant="$TENANT" --role-name="$ROLE_NAME" --path=/ --assume-role-policy-doc="$trust" | sed -n 's/.*"[Aa]rn": "\([^"]*\)".*/\1/p')
  [ -n "$role_arn" ] || die "radosgw-admin role create printed no arn"
  "${admin[@]}" role-policy put --tenant="$TENANT" --role-name="$ROLE_NAME" --policy-name=s3-push-copy --policy-doc="$policy" >/dev/null

  cat >"$DIR/env" <<EOF
CEPH_DIR=$DIR
CEPH_CONF=$CONF
CEPH_ENDPOINT=http://127.0.0.1:$rgw_port
CEPH_SOURCE_ACCESS_KEY=$SOURCE_ACCESS_KEY
CEPH_SOURCE_SECRET_KEY=$SOURCE_SECRET_KEY
CEPH_DEST_ACCESS_KEY=$DEST_ACCESS_KEY
CEPH_DEST_SECRET_KEY=$DEST_SECRET_KEY
CEPH_ROLE_ARN=$role_arn
EOF
  trap - ERR
  STARTING=0
  log "up in $((SECONDS - started)) s on http://127.0.0.1:$rgw_port (stop: bench/ceph.sh stop)"
  cat "$DIR/env"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) cmd_env ;;
  *) echo "usage: bench/ceph.sh start|stop|status|env" >&2; exit 2 ;;
esac
