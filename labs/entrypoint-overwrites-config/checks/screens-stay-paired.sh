# Task: the board accepts the display key the quay screen was paired with during setup,
# before and after a restart (the check restarts the board itself). Re-pairing is not
# offered, so the board must keep (or get back) the key the screens already have. And the
# image built from the project files (fresh_build in lib.sh) must not carry that key.
board_lock
# accepts_key ID KEY: the board serves departures to KEY.
accepts_key() { docker exec "$1" wget -qO /dev/null -T 1 "http://127.0.0.1:8080/cgi-bin/departures?key=$2" 2>/dev/null; }

cid=$(service_container ferrycast board)
screen=$(service_container ferrycast screen)
[ -n "$cid" ] || fail "There is no container for the board service (Compose project ferrycast)." \
  "Expected: ferrycast running. Start it with: docker compose up -d --build"
[ -n "$screen" ] && container_is_up "$screen" || fail "The quay screen container is not running (Compose project ferrycast, service screen)." \
  "Start it with: docker compose up -d"
key=$(docker exec "$screen" cat /var/lib/quay-screen/board.key 2>/dev/null | tr -d '[:space:]')
[ -n "$key" ] || fail "The quay screen has no display key any more (/var/lib/quay-screen/board.key in its screen-pairing volume is empty or gone)." \
  "The screens were paired during setup; if that volume was removed, start the lab over."

retry_while_up 5 "$cid" board_answers "$cid" || fail "The board container is $(describe_state "$cid"), and ferrycast does not answer; expected it running." \
  "Its last log line: $(last_log_line "$cid")"
if ! accepts_key "$cid" "$key"; then
  started=$(docker inspect -f '{{.State.StartedAt}}' "$cid")
  why=''
  docker logs --since "$started" "$cid" 2>&1 | grep -q 'generated a new one' \
    && why="At its last start, ferrycast found no display key in its settings and generated a new one (docker compose logs board)."
  fail "The board rejects display key $key, the key the quay screens were paired with (docker compose logs screen)." \
    ${why:+"$why"} "Expected: the board accepts that key, now and after every restart."
fi

restart_board "$cid" || fail "The check restarted the board container, and ferrycast did not answer within 10 s." \
  "The board container is $(describe_state "$cid"). Its last log line: $(last_log_line "$cid")"
accepts_key "$cid" "$key" || fail "Before the restart the board accepted the screens' display key $key. The check restarted the board, and now it rejects that key." \
  "Its log: $(docker logs --tail 4 "$cid" 2>&1 | grep -m1 'display key' || last_log_line "$cid")"
exec 9>&-   # the real board is done with: let the other check restart it

# The image the next deploy builds must not carry the key (anyone with the image could
# pair a screen, and every installation would share it).
fresh_build
[ -n "$fresh_image" ] || fail "The board image does not build from the project files, so the check can't look into it." \
  "Expected: docker compose build board to succeed."
baked=$(run_container --network none --user 0 --entrypoint /bin/grep "$fresh_image" -rlF "$key" /opt /usr/local /etc 2>/dev/null)
rc=$?   # grep: 0 found, 1 not found; anything else means the look did not happen
baked=$(head -n 3 <<< "$baked" | tr '\n' ' ')
[ "$rc" -le 1 ] || fail "Could not look into the board image built from the project files (exit code $rc)."
[ "$rc" -eq 1 ] || fail "The screens' display key is baked into the image built from the project files (in ${baked% }): anyone who has the image can pair a screen, and every installation gets the same key." \
  "Keep the key in the state volume (ferrycast-ctl set display_key), or pass it at run time from compose.yaml's environment."
pass "The board accepts the screens' display key $key, also after a restart, and the image built from the project files does not carry that key."
