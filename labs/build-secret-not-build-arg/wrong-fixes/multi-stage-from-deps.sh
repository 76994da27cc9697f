# Wrong fix: move the download into its own stage, but build the final stage on top of
# it (FROM deps). The final image inherits that stage's history, build argument included.
set -euo pipefail
sed -i -e 's|^FROM drydock/lab-base:latest$|FROM drydock/lab-base:latest AS deps|' \
       -e 's|^COPY www/ /srv/www/$|FROM deps AS app\nCOPY www/ /srv/www/|' Dockerfile
grep -q '^FROM deps AS app$' Dockerfile
PKG_TOKEN=$(cat /root/.config/kestrel/pkg-token) docker compose up -d --build 2>&1 | tail -n 2
docker image prune -f >/dev/null
