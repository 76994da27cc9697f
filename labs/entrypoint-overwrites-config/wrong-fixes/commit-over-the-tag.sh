# Wrong fix: fix the entrypoint inside the running container, then `docker commit` the
# container over the image tag compose.yaml runs, and recreate from it. The running board
# and its image are right, and `docker diff` of the new container is clean; but the
# project files still have the overwriting entrypoint, so the next
# `docker compose up --build` (or the next release) brings the bug back.
set -euo pipefail
docker compose exec -T -u root board sed -i \
  -e 's|^sed -e|[ -f "$CONFIG" ] \|\| sed -e|' \
  /usr/local/bin/ferrycast-entrypoint
board=$(service_container ferrycast board)
docker commit "$board" ferrycast:1.3 >/dev/null
docker compose up -d --no-build --force-recreate board 2>&1 | tail -n 2
board=$(service_container ferrycast board)
answers() { docker exec "$board" wget -qO /dev/null -T 1 http://127.0.0.1:8080/cgi-bin/status 2>/dev/null; }
wait_until 15 answers
key=$(docker compose exec -T screen cat /var/lib/quay-screen/board.key)
docker compose exec -T board ferrycast-ctl set timetable winter-2026
docker compose exec -T board ferrycast-ctl set display_key "$key"
