# Wrong fix: raise the limit on the running container with docker update and restart it.
# It starts (and a restart resets its restart count), but compose.yaml still says 96M, so
# the next deploy recreates the container with the old limit and the crash loop is back.
set -euo pipefail
cid=$(service_container tidewatch web)
docker update --memory 224m --memory-swap 224m "$cid" >/dev/null
docker restart "$cid" >/dev/null
ready() { docker logs "$cid" 2>&1 | tail -n 3 | grep -q 'ready after'; }
wait_until 20 ready
