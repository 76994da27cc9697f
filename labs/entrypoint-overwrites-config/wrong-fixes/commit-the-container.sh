# Wrong fix: set everything again, then "save" the container with docker commit and run
# the committed image. The settings live in the state volume, which a commit does not
# include, and the committed image still has the entrypoint that rewrites them.
set -euo pipefail
key=$(docker compose exec -T screen cat /var/lib/quay-screen/board.key)
docker compose exec -T board ferrycast-ctl set timetable winter-2026
docker compose exec -T board ferrycast-ctl set display_key "$key"
board=$(service_container ferrycast board)
docker commit "$board" ferrycast:1.3 >/dev/null
docker compose up -d --no-build 2>&1 | tail -n 2
board=$(service_container ferrycast board)
answers() { docker exec "$board" wget -qO /dev/null -T 1 http://127.0.0.1:8080/cgi-bin/status 2>/dev/null; }
wait_until 15 answers
