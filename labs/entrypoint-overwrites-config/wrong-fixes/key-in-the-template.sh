# Wrong fix: make the template the source of truth by writing the values into it: the
# winter timetable and the screens' display key. Restarts keep both, but the display
# key, the secret the screens authenticate with, is now baked into the image (anyone
# who has the image can pair a screen, and every installation shares it).
set -euo pipefail
key=$(docker compose exec -T screen cat /var/lib/quay-screen/board.key)
sed -i 's/^timetable = .*/timetable = winter-2026/' ferrycast.conf.tmpl
printf 'display_key = %s\n' "$key" >> ferrycast.conf.tmpl
docker compose up -d --build 2>&1 | tail -n 2
board=$(service_container ferrycast board)
answers() { docker exec "$board" wget -qO /dev/null -T 1 http://127.0.0.1:8080/cgi-bin/status 2>/dev/null; }
wait_until 15 answers
