# Solve: ship the template outside the volume's mount path, point the entrypoint at it,
# rebuild and recreate. The data volume (and the logbook in it) is kept.
set -euo pipefail

sed -i -E 's|^COPY +harborlog\.conf\.tmpl +.*$|COPY harborlog.conf.tmpl /opt/harborlog/harborlog.conf.tmpl|' Dockerfile
sed -i -E 's|^TEMPLATE=.*$|TEMPLATE=/opt/harborlog/harborlog.conf.tmpl|' entrypoint.sh
grep -q '^COPY harborlog.conf.tmpl /opt/harborlog/' Dockerfile
grep -q '^TEMPLATE=/opt/harborlog/' entrypoint.sh

docker compose up -d --build 2>&1 | tail -n 3

cid=$(service_container harborlog web)
serves_new_settings() { docker exec "$cid" wget -qO- -T 1 http://127.0.0.1:8080/cgi-bin/status 2>/dev/null | grep -q '^berths = '; }
wait_until 15 serves_new_settings || { echo "solve: harborlog did not come up" >&2; docker logs --tail 5 "$cid" >&2; exit 1; }
