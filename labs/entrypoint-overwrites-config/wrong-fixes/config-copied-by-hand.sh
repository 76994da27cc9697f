# Wrong fix: take the rendering out of the entrypoint altogether, and put a settings file
# written by hand into the state volume once. The board keeps it across restarts, but a
# clean install (or a lost volume) starts with no settings file, and ferrycast refuses
# to start: the image no longer works without a step someone did by hand.
set -euo pipefail
printf '#!/bin/sh\n# ferrycast entrypoint: the settings file is managed by ops.\nexec "$@"\n' > entrypoint.sh
key=$(docker compose exec -T screen cat /var/lib/quay-screen/board.key)
cat > ferrycast.conf <<CONF
# ferrycast settings, written by ops
terminal_name = Port Ellery ferry terminal
timetable = winter-2026
board_rows = 5
display_key = $key
CONF
docker compose up -d --build 2>&1 | tail -n 2
docker compose exec -T board sh -c 'cat > /var/lib/ferrycast/ferrycast.conf' < ferrycast.conf
docker compose restart board 2>&1 | tail -n 1
board=$(service_container ferrycast board)
answers() { docker exec "$board" wget -qO /dev/null -T 1 http://127.0.0.1:8080/cgi-bin/status 2>/dev/null; }
wait_until 15 answers
