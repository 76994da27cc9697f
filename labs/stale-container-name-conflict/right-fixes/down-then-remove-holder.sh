# Right fix: take the old deployment down first (`docker compose down --remove-orphans`
# removes the project's web container and the sync and cache orphans), then remove the
# hand-started holder of the name, which Compose doesn't manage, by its name, and deploy
# 2.1 from scratch. Nothing outside the project is named.
set -euo pipefail
docker compose down --remove-orphans 2>&1 | tail -n 3 || true
[ -n "$(docker inspect -f '{{index .Config.Labels "ops.incident"}}' berthboard-api)" ]
docker stop berthboard-api >/dev/null
docker rm berthboard-api >/dev/null
docker compose up -d --build 2>&1 | grep -v '^#' | tail -n 3
