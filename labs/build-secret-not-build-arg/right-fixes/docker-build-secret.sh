# Right fix, another route: the Dockerfile mounts the secret, and the runner builds with
# plain `docker build --secret` (from the token file) instead of through Compose;
# compose.yaml loses its build argument and only starts the image.
set -euo pipefail
sed -i -e '/^ARG PKG_TOKEN$/d' \
  -e 's|^RUN wget -qO /tmp/manifest-tools.tar.gz \\$|RUN --mount=type=secret,id=pkg_token,required=true \\\n    wget -qO /tmp/manifest-tools.tar.gz \\|' \
  -e 's|http://ci:${PKG_TOKEN}@|http://ci:$(cat /run/secrets/pkg_token)@|' Dockerfile
sed -i -e '/^      args:$/,/^        PKG_TOKEN:/d' compose.yaml
docker build -q --secret id=pkg_token,src=/root/.config/kestrel/pkg-token \
  --add-host pkgs.kestrel.internal:host-gateway -t waybill:1.0 . >/dev/null
docker compose up -d 2>&1 | tail -n 2
docker image prune -f >/dev/null
cid=$(service_container waybill web)
prints() { docker exec "$cid" wget -qO- -T 1 'http://127.0.0.1:8080/cgi-bin/waybill?ref=KC-1' 2>/dev/null | grep -q 'manifest-tools 1.3'; }
wait_until 15 prints
