#!/bin/sh
# Backs up the Redis master to one RDB file. The redis-backup CronJob runs this file; an SRE runs it by hand the same way
# (docs/runbooks/redis-recovery.md). Needs redis-cli.
#
# Env:
#   OUT             file to write (required)
#   SENTINEL_HOSTS  "host:port host:port ..." and MASTER_NAME: ask the Sentinels where the master is (Kubernetes), or
#   REDIS_HOST, REDIS_PORT  the master directly (default 127.0.0.1 6379) when SENTINEL_HOSTS is empty
#   REDIS_PASSWORD  optional; passed to redis-cli as REDISCLI_AUTH, never on the command line
#   WAIT_SECONDS    how long BGSAVE may take (default 600)
set -eu
: "${OUT:?OUT must name the file to write}"
WAIT_SECONDS="${WAIT_SECONDS:-600}"
[ -n "${REDIS_PASSWORD:-}" ] && export REDISCLI_AUTH="$REDIS_PASSWORD"

host="${REDIS_HOST:-127.0.0.1}"
port="${REDIS_PORT:-6379}"
if [ -n "${SENTINEL_HOSTS:-}" ]; then
  host=""
  for s in $SENTINEL_HOSTS; do
    # Sentinels may have their own password; in deploy/k8s it is the same one.
    addr=$(redis-cli -h "${s%:*}" -p "${s##*:}" sentinel get-master-addr-by-name "${MASTER_NAME:?MASTER_NAME must be set with SENTINEL_HOSTS}" 2>/dev/null) || addr=""
    set -- $addr
    [ $# -eq 2 ] && { host=$1; port=$2; break; }
  done
  [ -n "$host" ] || { echo "backup: no Sentinel of $SENTINEL_HOSTS knows the master of $MASTER_NAME" >&2; exit 1; }
fi
cli() { redis-cli -h "$host" -p "$port" "$@"; }

[ "$(cli PING)" = "PONG" ] || { echo "backup: $host:$port does not answer PING" >&2; exit 1; }
before=$(cli LASTSAVE)
# LASTSAVE counts seconds: start the save in a later second than the last one, so a finished save always changes it.
while [ "$(date +%s)" -le "$before" ]; do sleep 1; done
# SCHEDULE: if an AOF rewrite is running, the save starts right after it instead of failing.
cli BGSAVE SCHEDULE >/dev/null
waited=0
while [ "$(cli LASTSAVE)" = "$before" ]; do
  [ "$waited" -ge "$WAIT_SECONDS" ] && { echo "backup: BGSAVE on $host:$port did not finish in ${WAIT_SECONDS}s" >&2; exit 1; }
  sleep 1; waited=$((waited + 1))
done
cli INFO persistence | grep -q '^rdb_last_bgsave_status:ok' || { echo "backup: BGSAVE on $host:$port failed" >&2; exit 1; }
# The master's fresh dump is now on its volume (for an in-place restore); copy one off the node too.
log=$(cli --rdb "$OUT" 2>&1) || { echo "backup: redis-cli --rdb failed: $log" >&2; exit 1; }
[ -s "$OUT" ] || { echo "backup: empty RDB" >&2; exit 1; }
echo "backup: $(wc -c < "$OUT" | tr -d ' ') bytes, $(cli DBSIZE) keys, from $host:$port to $OUT"
