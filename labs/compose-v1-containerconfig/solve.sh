# Solve: move deploy.sh to Compose v2 with a version check up front, then deploy 2.4
# with it. Compose v2 replaces the container that the crashed v1 run stopped and renamed.
set -euo pipefail

cat > deploy.sh <<'SCRIPT'
#!/usr/bin/env bash
# Deploys ferryboard on the terminal's display server: builds the release named in
# RELEASE, then (re)starts the board on it. Run it from anywhere: ./deploy.sh
set -euo pipefail
cd "$(dirname "$0")"

# Compose v2 (the `docker compose` plugin) is required. Legacy docker-compose v1
# crashes on current engines (KeyError: 'ContainerConfig'), so never fall back to it.
if ! compose_version=$(docker compose version --short 2>/dev/null); then
  echo "deploy.sh: Docker Compose v2 is required, but 'docker compose' is not available." >&2
  echo "deploy.sh: install the Docker Compose v2 plugin on this server, then deploy again." >&2
  exit 1
fi
case $compose_version in
  v2.*|2.*) ;;
  *) echo "deploy.sh: Docker Compose v2 is required, found version '$compose_version'." >&2; exit 1 ;;
esac

release=$(cat RELEASE)
export FERRYBOARD_RELEASE="$release"

echo "==> building ferryboard $release"
docker build --quiet --build-arg "RELEASE=$release" --tag "ferryboard:$release" .

echo "==> starting ferryboard $release (Compose $compose_version)"
docker compose up -d

echo "==> ferryboard $release is live on port 8080"
SCRIPT

./deploy.sh

cid=$(service_container ferryboard board)
live() { docker exec "$cid" wget -qO- -T 1 http://127.0.0.1:8080/cgi-bin/version 2>/dev/null | grep -qx "ferryboard $(cat RELEASE)"; }
wait_until 15 live || { echo "solve: ferryboard did not come up" >&2; docker logs --tail 5 "$cid" >&2; exit 1; }
