# Right fix, another layout: the v2 check comes first thing (before cd), as a one-line
# guard with `command`-style test of the plugin's version output, and the deploy names
# the project explicitly (`docker compose -p ferryboard up -d --remove-orphans`).
set -euo pipefail
sed -i 's|^set -euo pipefail$|&\ndocker compose version --short >/dev/null 2>\&1 \|\| { echo "deploy.sh: needs Docker Compose v2 (docker compose)" >\&2; exit 1; }|' deploy.sh
sed -i 's|^docker-compose up -d$|docker compose -p ferryboard up -d --remove-orphans|' deploy.sh
grep -q '^docker compose -p ferryboard up -d --remove-orphans$' deploy.sh
./deploy.sh
cid=$(service_container ferryboard board)
live() { docker exec "$cid" wget -qO- -T 1 http://127.0.0.1:8080/cgi-bin/version 2>/dev/null | grep -qx "ferryboard $(cat RELEASE)"; }
wait_until 15 live
