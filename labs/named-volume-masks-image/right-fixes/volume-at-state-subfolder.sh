# Right fix, the other way round: the template stays where the image puts it, and the data
# volume moves down to a folder of its own, /home/app/harborlog/state, that holds only
# runtime state (logbook and rendered settings). The entrypoint and the CGI scripts read
# the state from there; the same volume, with the same logbook, is mounted.
set -euo pipefail
sed -i 's|- data:/home/app/harborlog$|- data:/home/app/harborlog/state|' compose.yaml
grep -q 'data:/home/app/harborlog/state' compose.yaml
sed -i 's|mkdir -p /home/app/harborlog \\$|mkdir -p /home/app/harborlog/state \\|; s|chown app:app /home/app/harborlog$|chown app:app /home/app/harborlog/state|' Dockerfile
grep -q 'chown app:app /home/app/harborlog/state' Dockerfile
sed -i 's|^STATE_DIR=.*$|STATE_DIR=/home/app/harborlog/state|' entrypoint.sh
sed -i 's|/home/app/harborlog/logbook.txt|/home/app/harborlog/state/logbook.txt|' www/cgi-bin/logbook
sed -i 's|/home/app/harborlog/harborlog.conf |/home/app/harborlog/state/harborlog.conf |' www/cgi-bin/status
grep -q 'state/harborlog.conf' www/cgi-bin/status
docker compose up -d --build 2>&1 | tail -n 1
cid=$(service_container harborlog web)
serves_new_settings() { docker exec "$cid" wget -qO- -T 1 http://127.0.0.1:8080/cgi-bin/status 2>/dev/null | grep -q '^berths = '; }
wait_until 15 serves_new_settings
