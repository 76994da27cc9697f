# Task: the winter timetable is still in force after a restart, and the fix lives in the
# project files. The check restarts the real board container itself (as the host's
# updates did) and asks the running app; a fix made only inside this container (its
# writable layer) is refused. Then it tries the future on its own copies (fresh_board in
# lib.sh): the image built from the project files, on a fresh volume, through a
# recreate with a changed compose.yaml setting.
board_lock

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
timetable=$(status_value timetable)
[ "$timetable" = winter-2026 ] || fail "The check restarted the board container (as the host's updates did): ferrycast now shows timetable = ${timetable:-(none)}." \
  "Expected: winter-2026 after every restart. Something at start-up replaces the timetable the operator set."
exec 9>&-   # the real board is done with: let the other check restart it

fresh_board
[ "$fresh_rows_first" = "$fresh_rows_compose" ] || fail "A board built from the project files, started on a fresh state volume (a clean install), shows board_rows = ${fresh_rows_first:-(none)}; compose.yaml sets FERRYCAST_ROWS=$fresh_rows_compose." \
  "On a first start the settings file must get the template's settings."
[ "$fresh_timetable_recreate" = winter-2026 ] || fail "The running board keeps winter-2026, but a board built from the project files (what the next docker compose up --build makes) does not: on a fresh volume, the check set winter-2026 with ferrycast-ctl, recreated it on the same volume, and it showed ${fresh_timetable_recreate:-(none)}." \
  "If your fix is in the running container or its image, not in the project files, the next build brings the overwriting entrypoint back."
[ "$fresh_rows_recreate" = "$fresh_rows_wanted" ] || fail "Settings from compose.yaml no longer reach ferrycast once its settings file exists: the check recreated a board built from the project files with FERRYCAST_ROWS=$fresh_rows_wanted, and it shows board_rows = ${fresh_rows_recreate:-(none)}." \
  "The entrypoint wrote the environment's values into the file once and never again, so the next change in compose.yaml is silently ignored. Keep the \${NAME} references in the file (ferrycast expands them itself), or render them at every start without losing run-time settings."
[ -n "$fresh_key_first" ] && [ "$fresh_key_recreate" = "$fresh_key_first" ] \
  || fail "A board built from the project files, on a fresh volume, did not keep its display key: ${fresh_key_first:-(none)} at the first start, ${fresh_key_recreate:-(none)} after a recreate." \
    "Screens paired with the first key would show NOT PAIRED again after the next restart or deploy: the entrypoint still overwrites what ferrycast saved."
pass "After a restart, the board still shows the winter timetable; a board built from the project files on a fresh volume still showed winter-2026 (set with ferrycast-ctl) and kept its display key after a recreate, and followed a changed FERRYCAST_ROWS."
