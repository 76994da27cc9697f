# Wrong fix: dodge the conflict with a new container name. The deploy succeeds, but the
# hand-started 2.0 API still answers as berthboard-api, and the orphans stay.
set -euo pipefail
sed -i 's/container_name: berthboard-api$/container_name: berthboard-api-v21/' compose.yaml
grep -q 'container_name: berthboard-api-v21' compose.yaml
docker compose up -d --build 2>&1 | grep -v '^#' | tail -n 3
sleep 1
