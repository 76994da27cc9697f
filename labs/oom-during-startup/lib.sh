# oom-during-startup: helpers the checks share.

# epoch TIMESTAMP: an RFC 3339 time (docker's StartedAt, a log line's timestamp) as
# seconds since the epoch, with fractions.
epoch() { date -d "$1" +%s.%N 2>/dev/null; }

# ready_in_this_start CID: the time (epoch seconds) at which tidewatch logged "ready" in
# the container's current start, i.e. at or after its StartedAt; nothing if it hasn't yet.
# (An earlier start of the same container, before a `docker restart`, has its own ready
# line: it says nothing about this one.)
ready_in_this_start() {
  local started ts
  started=$(epoch "$(docker inspect -f '{{.State.StartedAt}}' "$1")") || return 1
  while read -r ts; do
    ts=$(epoch "$ts") || continue
    awk -v a="$ts" -v b="$started" 'BEGIN { exit !(a >= b) }' && { echo "$ts"; return 0; }
  done < <(docker logs --timestamps "$1" 2>&1 | grep ' \[tidewatch\] ready after' | cut -d' ' -f1)
  return 1
}

# start_settled CID: true once this start of the container has an outcome: it is not
# running (killed, restarting, stopped) or tidewatch logged "ready".
start_settled() {
  [ "$(container_state "$1")" != running ] || ready_in_this_start "$1" >/dev/null
}

# await_start CID [SECONDS]: waits (at most SECONDS, default 12: a start takes about 6 s)
# until this start has an outcome, so a verdict doesn't depend on the moment of the check.
await_start() { wait_until "${2:-12}" start_settled "$1"; }
