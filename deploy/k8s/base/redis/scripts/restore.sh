#!/bin/sh
# Restores an RDB file made by backup.sh into the running Redis master, online: the file is loaded by a private
# redis-server (unix socket only, in a temp dir), which MIGRATEs every key to the master with COPY REPLACE. The writes
# go through the master, so its replicas and its AOF receive them like any other write; TTLs travel with the keys, and
# keys already expired in the file are not restored. Keys the master has and the file does not are left alone (FLUSHALL
# first for a full rollback, see docs/runbooks/redis-recovery.md). Needs redis-server and redis-cli.
#
# Env:
#   IN              the RDB file (required)
#   SENTINEL_HOSTS + MASTER_NAME, or REDIS_HOST + REDIS_PORT, and REDIS_PASSWORD: the target, as for backup.sh
#   BATCH           keys per MIGRATE (default 100)
set -eu
: "${IN:?IN must name the RDB file to restore}"
[ -s "$IN" ] || { echo "restore: $IN is missing or empty" >&2; exit 1; }
BATCH="${BATCH:-100}"
password="${REDIS_PASSWORD:-}"

host="${REDIS_HOST:-127.0.0.1}"
port="${REDIS_PORT:-6379}"
[ -n "$password" ] && export REDISCLI_AUTH="$password"
if [ -n "${SENTINEL_HOSTS:-}" ]; then
  host=""
  for s in $SENTINEL_HOSTS; do
    addr=$(redis-cli -h "${s%:*}" -p "${s##*:}" sentinel get-master-addr-by-name "${MASTER_NAME:?MASTER_NAME must be set with SENTINEL_HOSTS}" 2>/dev/null) || addr=""
    set -- $addr
    [ $# -eq 2 ] && { host=$1; port=$2; break; }
  done
  [ -n "$host" ] || { echo "restore: no Sentinel of $SENTINEL_HOSTS knows the master of $MASTER_NAME" >&2; exit 1; }
fi
[ "$(redis-cli -h "$host" -p "$port" PING)" = "PONG" ] || { echo "restore: $host:$port does not answer PING" >&2; exit 1; }

work=$(mktemp -d)
sock="$work/redis.sock"
cleanup() {
  [ -S "$sock" ] && env -u REDISCLI_AUTH redis-cli -s "$sock" SHUTDOWN NOSAVE >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
cp "$IN" "$work/dump.rdb"
# The loader: no TCP port, no AOF, no saving, so it only ever reads the file.
redis-server --port 0 --unixsocket "$sock" --unixsocketperm 700 --dir "$work" --dbfilename dump.rdb \
  --appendonly no --save '' --daemonize no --logfile "$work/loader.log" &
# The loader has no password: the target's must not be sent to it.
local_cli() { env -u REDISCLI_AUTH redis-cli -s "$sock" "$@"; }
tries=0
until [ "$(local_cli PING 2>/dev/null)" = "PONG" ]; do
  tries=$((tries + 1))
  [ "$tries" -gt 600 ] && { echo "restore: the loader did not start: $(tail -n 5 "$work/loader.log")" >&2; exit 1; }
  sleep 0.1 2>/dev/null || sleep 1
done
total=$(local_cli DBSIZE)

auth=""
[ -n "$password" ] && auth="AUTH"
migrate() {
  # MIGRATE host port "" db timeout COPY REPLACE [AUTH password] KEYS k1 k2 ...; "NOKEY" when none of them exists.
  if [ -n "$auth" ]; then
    reply=$(local_cli MIGRATE "$host" "$port" "" 0 10000 COPY REPLACE AUTH "$password" KEYS "$@")
  else
    reply=$(local_cli MIGRATE "$host" "$port" "" 0 10000 COPY REPLACE KEYS "$@")
  fi
  case "$reply" in OK | NOKEY) ;; *) echo "restore: MIGRATE failed: $reply" >&2; exit 1 ;; esac
}

# Keys one per line (a key with a newline in it cannot be restored this way; the service never writes one).
local_cli --scan > "$work/keys"
moved=0
set --
while IFS= read -r key; do
  set -- "$@" "$key"
  if [ $# -ge "$BATCH" ]; then migrate "$@"; moved=$((moved + $#)); set --; fi
done < "$work/keys"
[ $# -gt 0 ] && { migrate "$@"; moved=$((moved + $#)); }
echo "restore: $moved of $total keys from $IN copied to $host:$port (now $(redis-cli -h "$host" -p "$port" DBSIZE) keys)"
