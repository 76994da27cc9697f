# Right fix, another route: the secret comes from the PKG_TOKEN variable (Compose's
# `environment:` source) under an id of the team's choosing, and the Dockerfile reads it
# with the secret's default target.
set -euo pipefail
PKG_TOKEN=$(cat /root/.config/kestrel/pkg-token)
export PKG_TOKEN
sed -i -e '/^ARG PKG_TOKEN$/d' \
  -e 's|^RUN wget -qO /tmp/manifest-tools.tar.gz \\$|RUN --mount=type=secret,id=kestrel_ci \\\n    wget -qO /tmp/manifest-tools.tar.gz \\|' \
  -e 's|http://ci:${PKG_TOKEN}@|http://ci:$(cat /run/secrets/kestrel_ci)@|' Dockerfile
grep -q 'id=kestrel_ci' Dockerfile
sed -i -e '/^      args:$/,/^        PKG_TOKEN:/d' -e 's|^      context: \.$|      context: .\n      secrets: [kestrel_ci]|' compose.yaml
printf '\nsecrets:\n  kestrel_ci:\n    environment: PKG_TOKEN   # from the CI runner'"'"'s environment\n' >> compose.yaml
docker compose up -d --build 2>&1 | tail -n 2
docker image prune -f >/dev/null
cid=$(service_container waybill web)
prints() { docker exec "$cid" wget -qO- -T 1 'http://127.0.0.1:8080/cgi-bin/waybill?ref=KC-1' 2>/dev/null | grep -q 'manifest-tools 1.3'; }
wait_until 15 prints
