# Wrong fix: dodge the conflict with a new container name for 2.1. The deploy succeeds,
# but the hand-started 2.0 API still answers as berthboard-api, which is the name the
# board, monitoring and the office's scripts use.
set -euo pipefail
sed -i 's/container_name: berthboard-api$/container_name: berthboard-api-v21/' compose.yaml
grep -q 'container_name: berthboard-api-v21' compose.yaml
docker compose up -d --build --remove-orphans 2>&1 | grep -v '^#' | tail -n 3
sleep 1
