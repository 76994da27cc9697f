#!/usr/bin/env bash
# Benchmark: a fresh clone of this checkout to its first ready lab, the way a new
# operator meets Drydock: `git clone`, `npm start`, wait for /readyz, press Start.
# Prints the two times, then a check, Stop, and the server's /metrics after that
# session. On demand only:
#   npm run bench:fresh-clone [-- lab-slug]
# What it measures depends on what the machine already has: images already in the
# engine (found by the hash of their inputs) and Debian packages already installed
# are not rebuilt or reinstalled; the npm packages and the bundled Node are (a fresh
# clone has no .drydock/ and no node_modules/). It says which images it found.
set -euo pipefail
LAB=${1:-named-volume-masks-image}
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIR=$(mktemp -d /tmp/drydock-fresh-clone.XXXXXX)
PORT=${BENCH_PORT:-4899}
OWNER=bench-$$
server=
cleanup() {
  # npm does not pass SIGTERM on to the server it started: stop the server that runs
  # in the clone itself, then whatever sandbox it left.
  for pid in $(pgrep -f 'lab-server/server.ts' || :); do
    [ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$DIR" ] && kill -TERM "$pid" 2>/dev/null || :
  done
  [ -n "$server" ] && wait "$server" 2>/dev/null || :
  docker ps -aq --filter "label=io.drydock.owner=$OWNER" | xargs -r docker rm -f >/dev/null
  rm -rf "$DIR" "$DIR.log"
}
trap cleanup EXIT
api() { curl -sS --max-time 30 "$@"; }

echo "images already in the engine: $(docker images --filter label=io.drydock.platform=drydock --format '{{.Repository}}:{{.Tag}}' | tr '\n' ' ')"
started=$(date +%s.%N)
git clone -q "$SRC" "$DIR"
cd "$DIR"
DRYDOCK_PORT=$PORT DRYDOCK_OWNER=$OWNER DRYDOCK_OLD_IMAGES=keep DRYDOCK_SHUTDOWN=remove \
  npm start >"$DIR.log" 2>&1 &
server=$!
until api -sf -o /dev/null "http://127.0.0.1:$PORT/readyz" 2>/dev/null; do
  kill -0 "$server" 2>/dev/null || { tail -20 "$DIR.log"; echo "npm start exited" >&2; exit 1; }
  sleep 0.5
done
ready=$(date +%s.%N)
session=$(api -X POST -H 'content-type: application/json' -d "{\"lab\":\"$LAB\"}" "http://127.0.0.1:$PORT/api/sessions")
id=$(jq -r .id <<<"$session")
token=$(jq -r .token <<<"$session")
auth=(-H "authorization: Bearer $token")
until [ "$(api "${auth[@]}" "http://127.0.0.1:$PORT/api/sessions/$id" | jq -r .state)" = ready ]; do sleep 0.2; done
lab=$(date +%s.%N)
printf 'fresh clone -> /readyz 200:        %6.1f s\n' "$(bc <<<"$ready - $started")"
printf 'fresh clone -> first lab ready:    %6.1f s (%s)\n' "$(bc <<<"$lab - $started")" "$LAB"
api "${auth[@]}" -X POST "http://127.0.0.1:$PORT/api/sessions/$id/check" | jq -c '.results[] | {task, passed}'
api "${auth[@]}" -X DELETE -o /dev/null "http://127.0.0.1:$PORT/api/sessions/$id"
echo "/metrics after that session (non-zero drydock_ series):"
api "http://127.0.0.1:$PORT/metrics" | grep -E '^drydock_' | grep -v ' 0$'
