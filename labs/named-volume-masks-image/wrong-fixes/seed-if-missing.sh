# Wrong fix: ship the template outside the volume, but have the entrypoint copy it into
# the volume only if no copy is there yet, and render from that copy. 1.1 starts, but the
# copy never changes again: the next release's template never reaches the settings.
set -euo pipefail
sed -i -E 's|^COPY +harborlog\.conf\.tmpl +.*$|COPY harborlog.conf.tmpl /opt/harborlog/harborlog.conf.tmpl|' Dockerfile
grep -q '^COPY harborlog.conf.tmpl /opt/harborlog/' Dockerfile
sed -i 's|^if \[ ! -f "\$TEMPLATE" \]; then$|[ -f "$TEMPLATE" ] \|\| cp /opt/harborlog/harborlog.conf.tmpl "$TEMPLATE"   # first start: seed the template\n&|' entrypoint.sh
grep -q 'first start: seed the template' entrypoint.sh
docker compose up -d --build 2>&1 | tail -n 1
cid=$(service_container harborlog web)
serves_new_settings() { docker exec "$cid" wget -qO- -T 1 http://127.0.0.1:8080/cgi-bin/status 2>/dev/null | grep -q '^berths = '; }
wait_until 15 serves_new_settings
