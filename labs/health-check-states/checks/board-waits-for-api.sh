# Task: the board runs, started once (not crashed and restarted), and Compose starts it
# only after the api is healthy: its depends_on condition is service_healthy.
cid=$(service_container pilotdesk board)
[ -n "$cid" ] || fail "There is no container for the board service (Compose project pilotdesk)." \
  "Start it with: docker compose up -d --build"

IFS='|' read -r depends restarts < <(docker inspect -f '{{index .Config.Labels "com.docker.compose.depends_on"}}|{{.RestartCount}}' "$cid")
condition=$(tr ',' '\n' <<< "$depends" | awk -F: '$1 == "api" { print $2 }')
if ! container_is_up "$cid"; then
  [ "$condition" = service_healthy ] && fail "The board container is $(describe_state "$cid"). Its last log line: $(last_log_line "$cid")" \
    "Its depends_on waits for a healthy api, but only docker compose up honours that: docker compose restart and docker restart start it at once. Start it with: docker compose up -d"
  fail "The board container is $(describe_state "$cid"). Its last log line: $(last_log_line "$cid")" \
    "Expected: the board running, started by Compose only once the api was healthy."
fi
# What the next deploy does: compose.yaml's depends_on (the container's label only says
# how this container was created; --no-deps leaves it out).
configured=$(docker compose --project-directory "$LAB_DIR" config --format json 2>/dev/null \
  | jq -r '.services.board.depends_on.api.condition // empty')
case "$configured" in
  service_healthy) ;;
  '') fail "The board runs, but compose.yaml doesn't make it depend on the api at all: the next docker compose up starts it whenever it likes." \
        "Expected: depends_on api with condition: service_healthy, so Compose starts the board only once the api is healthy." ;;
  *) fail "The board runs, but compose.yaml starts it as soon as the api is $([ "$configured" = service_started ] && echo started || echo "$configured"), not when it is healthy (depends_on api: $configured): the next docker compose up races the api again." \
       "Expected: condition: service_healthy, and the board recreated with it (docker compose up -d)." ;;
esac
[ "$condition" = service_healthy ] || fail "compose.yaml makes the board wait for a healthy api, but the running board container was created without that (depends_on: ${depends:-none}, e.g. by --no-deps or before the change)." \
  "Recreate it with: docker compose up -d"
[ "$restarts" -eq 0 ] || fail "The board runs now, but only after Docker restarted it $restarts times." \
  "Expected: a board that starts once, after the api is healthy."
board=''
board_answers() { board=$(docker exec "$cid" wget -qO- -T 1 http://127.0.0.1:8080/ 2>/dev/null); }
retry_while_up 3 "$cid" board_answers || fail "The board container is $(describe_state "$cid"), but doesn't answer on port 8080 inside it; expected its duty board there." \
  "Its last log line: $(last_log_line "$cid")"
grep -q 'Capt\.' <<< "$board" || fail "The board runs, but shows no pilots: $(head -c 200 <<< "$board")" \
  "Expected: the api's duty slots (lines with Capt.), which the board reads from the api once it is healthy."
pass "The board waits for a healthy api (depends_on: service_healthy), started once, and shows $(grep -c 'Capt\.' <<< "$board") duty slots."
