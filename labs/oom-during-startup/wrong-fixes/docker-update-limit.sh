# Wrong fix: raise the limit on the running container with docker update and restart it.
# It starts (and a restart resets its restart count), but compose.yaml still says 96M, so
# the next deploy recreates the container with the old limit and the crash loop is back.
set -euo pipefail
cid=$(service_container tidewatch web)
# Between two restarts of the crash loop the engine can't update it ("container not
# running"), as a learner would find: try again until it takes.
raise_limit() { docker update --memory 224m --memory-swap 224m "$cid" >/dev/null; }
wait_until 20 raise_limit 2>/dev/null || raise_limit
docker restart "$cid" >/dev/null
ready() { docker logs "$cid" 2>&1 | tail -n 3 | grep -q 'ready after'; }
wait_until 20 ready
