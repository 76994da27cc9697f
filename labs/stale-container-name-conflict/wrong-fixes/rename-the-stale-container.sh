# Wrong fix: move the hand-started container out of the way with docker rename. The
# deploy succeeds (orphans removed and all), but the stale 2.0 API keeps running beside
# 2.1 on the project's network, under a name nobody knows to look for.
set -euo pipefail
docker rename berthboard-api berthboard-api-old
docker compose up -d --build --remove-orphans 2>&1 | grep -v '^#' | tail -n 3
sleep 1
