# Wrong fix: raise the limit (correctly) and the health check's timeout, but leave out
# start_period. tidewatch no longer crashes, yet every start is reported unhealthy before
# it is ready, so docker compose up --wait (the deploy) still fails.
set -euo pipefail
sed -i -E -e 's|^( *memory: *).*$|\1224M|' -e 's|^( *timeout: *).*$|\110s|' compose.yaml
grep -q 'memory: 224M' compose.yaml
docker compose up -d 2>&1 | tail -n 2
cid=$(service_container tidewatch web)
ready() { docker logs "$cid" 2>&1 | grep -q 'ready after'; }
wait_until 20 ready
sleep 1.5
