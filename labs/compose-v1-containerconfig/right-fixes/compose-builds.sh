# Right fix, another design: Compose v2 builds the image too. compose.yaml gets a build
# section (the release as a build argument), deploy.sh checks for v2 with `docker
# compose version` in a function and runs `docker compose up -d --build --wait`.
set -euo pipefail
sed -i 's|^    image: ferryboard:.*|&\n    build:\n      context: .\n      args:\n        RELEASE: ${FERRYBOARD_RELEASE}|' compose.yaml
grep -q 'RELEASE: ${FERRYBOARD_RELEASE}' compose.yaml
cat > deploy.sh <<'SCRIPT'
#!/usr/bin/env bash
# Deploys ferryboard: builds the release named in RELEASE and (re)starts the board on it,
# both with Compose v2.
set -euo pipefail
cd "$(dirname "$0")"

require_compose_v2() {
  docker compose version >/dev/null 2>&1 && return 0
  echo "deploy.sh: this server lacks Docker Compose v2 (the 'docker compose' plugin); install it first." >&2
  echo "deploy.sh: not falling back to docker-compose v1, which crashes on current engines." >&2
  exit 1
}
require_compose_v2

export FERRYBOARD_RELEASE="$(cat RELEASE)"
docker compose up -d --build --wait
echo "ferryboard $FERRYBOARD_RELEASE is live on port 8080"
SCRIPT
./deploy.sh
cid=$(service_container ferryboard board)
live() { docker exec "$cid" wget -qO- -T 1 http://127.0.0.1:8080/cgi-bin/version 2>/dev/null | grep -qx "ferryboard $(cat RELEASE)"; }
wait_until 15 live
