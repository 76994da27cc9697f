# Wrong fix: a cleanup recipe copied from a wiki: down with --remove-orphans, force-remove
# the name, prune every stopped container, up. It deploys 2.1, but docker container prune
# also deletes tide-archive-export, a stopped container that isn't berthboard's.
set -euo pipefail
docker compose down --remove-orphans 2>&1 | tail -n 2
docker rm -f berthboard-api >/dev/null 2>&1 || true
docker container prune -f >/dev/null
docker compose up -d --build 2>&1 | grep -v '^#' | tail -n 3
