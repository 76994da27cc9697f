# Task: the winter timetable is still in force after a restart. The check restarts the
# board container itself (as the host's updates did) and asks the running app. A fix made
# only inside this container (its writable layer) is refused: a recreate would undo it.

# --- lab helpers ----------------------------------------------------------------------
# Both checks of this lab restart the board: a lock makes them take turns, so that each
# one sees the board before and after its own restart.
exec 9> /tmp/.drydock-ferrycast-check.lock
flock -w 20 9 || true
# restart_board ID: restart the board container and wait until ferrycast answers again.
restart_board() {
  docker restart -t 5 "$1" >/dev/null 2>&1 || return 1
  wait_until 10 board_answers "$1"
}
board_status=''
board_answers() { board_status=$(docker exec "$1" wget -qO- -T 1 http://127.0.0.1:8080/cgi-bin/status 2>/dev/null); }
# ---------------------------------------------------------------------------------------

cid=$(service_container ferrycast board)
[ -n "$cid" ] || fail "There is no container for the board service (Compose project ferrycast)." \
  "Expected: ferrycast running. Start it with: docker compose up -d --build"
container_is_up "$cid" || fail "The board container is $(describe_state "$cid"); expected it running." \
  "Its last log line: $(last_log_line "$cid")"

# Files of the image changed inside this container only: lost at the next recreate.
patched=$(docker diff "$cid" 2>/dev/null | sed -n 's/^[AC] //p' | grep -E '^/(opt/ferrycast|usr/local/bin)/' | tr '\n' ' ')
if [ -n "$patched" ]; then
  fail "These files were changed inside the running board container, not in the image: ${patched% }" \
    "Changes in a container's writable layer are lost when it is recreated (docker compose up --build, an upgrade). Make the change in the project files, rebuild and recreate: docker compose up -d --build"
fi

restart_board "$cid" || fail "The check restarted the board container, and ferrycast did not answer within 10 s." \
  "The board container is $(describe_state "$cid"). Its last log line: $(last_log_line "$cid")"

timetable=$(sed -n 's/^timetable = //p' <<< "$board_status")
[ "$timetable" = winter-2026 ] && pass "After a restart, the board still shows the winter timetable."
fail "The check restarted the board container (as the host's updates did): ferrycast now shows timetable = ${timetable:-(none)}." \
  "Expected: winter-2026 after every restart. Something at start-up replaces the timetable the operator set."
