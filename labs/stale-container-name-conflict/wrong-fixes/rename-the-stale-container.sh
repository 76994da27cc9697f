# Wrong fix: move the hand-started container out of the way with docker rename. The
# deploy succeeds, but the stale 2.0 API keeps running beside 2.1, and the orphans stay.
set -euo pipefail
docker rename berthboard-api berthboard-api-old
docker compose up -d --build 2>&1 | grep -v '^#' | tail -n 3
sleep 1
