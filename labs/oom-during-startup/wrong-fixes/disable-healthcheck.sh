# Wrong fix: raise the limit, and since the health check "fails the deploy", switch it
# off. tidewatch starts, but nothing tells Docker (or the deploy) any more whether it
# serves, and compose up --wait refuses a service with no health check.
set -euo pipefail
sed -i -E 's|^( *memory: *).*$|\1224M|' compose.yaml
sed -i -e '/^    healthcheck:$/,/^      retries:/d' compose.yaml
sed -i 's|^    init: true.*|&\n    healthcheck:\n      disable: true|' compose.yaml
grep -q 'disable: true' compose.yaml
docker compose up -d 2>&1 | tail -n 1   # ./deploy.sh: "container tidewatch-web-1 has no healthcheck configured"
cid=$(service_container tidewatch web)
ready() { docker logs "$cid" 2>&1 | grep -q 'ready after'; }
wait_until 20 ready
