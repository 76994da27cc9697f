# Wrong fix: remove the stale holder correctly, but also delete `container_name` from
# compose.yaml "so that this can never conflict again". Compose names the API
# berthboard-api-1, and nothing that reaches the API as berthboard-api finds it.
set -euo pipefail
docker rm -f berthboard-api >/dev/null
sed -i '/container_name: berthboard-api$/d' compose.yaml
if grep -q container_name compose.yaml; then echo 'container_name is still in compose.yaml' >&2; exit 1; fi
docker compose up -d --build --remove-orphans 2>&1 | grep -v '^#' | tail -n 3
sleep 1
