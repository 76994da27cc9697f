# Task: the board runs, started once (not crashed and restarted), and Compose starts it
# only after the api is healthy: its depends_on condition is service_healthy.
cid=$(service_container pilotdesk board)
[ -n "$cid" ] || fail "There is no container for the board service (Compose project pilotdesk)." \
  "Start it with: docker compose up -d --build"

IFS='|' read -r depends restarts < <(docker inspect -f '{{index .Config.Labels "com.docker.compose.depends_on"}}|{{.RestartCount}}' "$cid")
if ! container_is_up "$cid"; then
  fail "The board container is $(describe_state "$cid"). Its last log line: $(last_log_line "$cid")" \
    "Expected: the board running, started by Compose only once the api was healthy."
fi
condition=$(tr ',' '\n' <<< "$depends" | awk -F: '$1 == "api" { print $2 }')
case "$condition" in
  service_healthy) ;;
  '') fail "The board runs, but it doesn't depend on the api at all (depends_on: ${depends:-none})." \
        "Expected: depends_on api with condition: service_healthy, so Compose starts the board only once the api is healthy." ;;
  *) fail "The board runs, but Compose starts it as soon as the api is $([ "$condition" = service_started ] && echo started || echo "$condition"), not when it is healthy (depends_on api: $condition)." \
       "Expected: condition: service_healthy. Recreate the board after the change (docker compose up -d)." ;;
esac
[ "$restarts" -eq 0 ] || fail "The board runs now, but only after Docker restarted it $restarts times." \
  "Expected: a board that starts once, after the api is healthy."
board=''
board_answers() { board=$(docker exec "$cid" wget -qO- -T 1 http://127.0.0.1:8080/ 2>/dev/null); }
retry_while_up 3 "$cid" board_answers || fail "The board container runs, but doesn't answer on port 8080 inside it."
grep -q 'Capt\.' <<< "$board" || fail "The board runs, but shows no pilots: $(head -c 200 <<< "$board")"
pass "The board waits for a healthy api (depends_on: service_healthy), started once, and shows $(grep -c 'Capt\.' <<< "$board") duty slots."
