# Setup: deploy ferrycast 1.3 and pair the quay screen with the board's display key, let
# the operator switch to the winter timetable with ferrycast-ctl, then restart everything
# the way the host's nightly updates did. The entrypoint re-renders the settings file at
# that restart: the timetable is back to summer and the board makes a new display key.
set -euo pipefail

board_status() { docker exec "$board" wget -qO- -T 1 http://127.0.0.1:8080/cgi-bin/status 2>/dev/null; }
board_answers() { board_status >/dev/null; }
screen_says() { grep -q "$1" <<< "$(docker logs --tail 1 "$screen" 2>&1)"; }

quietly docker compose up -d --build
board=$(service_container ferrycast board)
screen=$(service_container ferrycast screen)
wait_until 20 board_answers || { echo "setup: ferrycast did not start" >&2; docker logs "$board" >&2; exit 1; }

# The installer paired the quay screen with the board's display key.
key=$(docker exec "$board" ferrycast-ctl get display_key)
[ -n "$key" ] || { echo "setup: the board has no display key" >&2; exit 1; }
printf '%s\n' "$key" | docker exec -i "$screen" sh -c 'cat > /var/lib/quay-screen/board.key'
wait_until 10 screen_says "showing departures" || { echo "setup: the screen did not pair" >&2; docker logs "$screen" >&2; exit 1; }

# Nov 1: the operator switches to the winter timetable at run time.
quietly docker exec "$board" ferrycast-ctl set timetable winter-2026
grep -q '^timetable = winter-2026$' <<< "$(board_status)" || { echo "setup: the timetable did not change" >&2; exit 1; }
wait_until 10 screen_says "timetable winter-2026" || { echo "setup: the screen did not show the winter timetable" >&2; exit 1; }

# Nov 2: the host's updates restart Docker, so both containers restart.
quietly docker compose restart
wait_until 20 board_answers || { echo "setup: ferrycast did not come back after the restart" >&2; docker logs "$board" >&2; exit 1; }
grep -q '^timetable = summer-2026$' <<< "$(board_status)" || { echo "setup: the timetable was not reset by the restart" >&2; exit 1; }
wait_until 10 screen_says "showing NOT PAIRED" || { echo "setup: the screen is still paired after the restart" >&2; docker logs "$screen" >&2; exit 1; }
