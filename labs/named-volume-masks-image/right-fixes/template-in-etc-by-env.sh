# Right fix, another place and mechanism: the image ships the template in /etc/harborlog
# and says where with an ENV; the entrypoint reads that variable. Built with
# `docker compose build`, then `docker compose up -d`.
set -euo pipefail
sed -i -E 's|^COPY +harborlog\.conf\.tmpl +.*$|ENV HARBORLOG_TEMPLATE=/etc/harborlog/harborlog.conf.tmpl\nCOPY harborlog.conf.tmpl /etc/harborlog/|' Dockerfile
grep -q '^COPY harborlog.conf.tmpl /etc/harborlog/$' Dockerfile
sed -i -E 's|^TEMPLATE=.*$|TEMPLATE=${HARBORLOG_TEMPLATE:?the image sets HARBORLOG_TEMPLATE}|' entrypoint.sh
grep -q '^TEMPLATE=${HARBORLOG_TEMPLATE' entrypoint.sh
docker compose build 2>&1 | tail -n 1
docker compose up -d 2>&1 | tail -n 1
cid=$(service_container harborlog web)
serves_new_settings() { docker exec "$cid" wget -qO- -T 1 http://127.0.0.1:8080/cgi-bin/status 2>/dev/null | grep -q '^berths = '; }
wait_until 15 serves_new_settings
