# Task: the api container has a health check (from the image's HEALTHCHECK or from
# compose.yaml), and Docker reports it healthy.
cid=$(service_container pilotdesk api)
[ -n "$cid" ] || fail "There is no container for the api service (Compose project pilotdesk)." \
  "Start it with: docker compose up -d --build"

test=$(docker inspect -f '{{with .Config.Healthcheck}}{{join .Test " "}}{{end}}' "$cid")
case "$test" in
  ''|NONE*) fail "The api container has no health check, so Docker can't tell whether pilotdesk works: docker ps shows just \"Up\", with no (healthy)." \
              "Expected: a HEALTHCHECK in api/Dockerfile or a healthcheck: in compose.yaml, and the container recreated with it." ;;
esac
container_is_up "$cid" || fail "The api container is $(describe_state "$cid"); expected it running." \
  "Its last log line: $(last_log_line "$cid")"

# Right after a (re)start the health is "starting" until the first probes decide it:
# wait for that verdict (bounded), so the answer doesn't depend on when Check is pressed.
status='' streak=''
health() { IFS='|' read -r status streak < <(docker inspect -f '{{.State.Health.Status}}|{{.State.Health.FailingStreak}}' "$cid" 2>/dev/null); }
decided() { health; [ "$status" != starting ]; }
waited=$SECONDS
wait_until 20 decided
waited=$(( SECONDS - waited ))
last=$(docker inspect -f '{{range .State.Health.Log}}{{.ExitCode}}: {{.Output}}{{"\n"}}{{end}}' "$cid" | sed '/^[[:space:]]*$/d' | tail -n 1)
case "$status" in
  healthy) pass "Docker reports the api container healthy (health check: $test)." ;;
  starting) interval=$(docker inspect -f '{{with .Config.Healthcheck}}{{.Interval}} {{.StartInterval}}{{end}}' "$cid")
            fail "The api container has a health check, but after waiting ${waited} s its health is still \"starting\" (failing streak: $streak; last probe: ${last:-none yet})." \
              "pilotdesk answers about 4 s after a start. If the probes come rarely (interval and start interval in ns: ${interval:-defaults, 30 s}), set a shorter start_interval or interval." ;;
  *) fail "Docker reports the api container $status: $streak probes in a row failed." \
       "Last probe (exit code: output): ${last:-none}" \
       "If maintenance mode is on, switch it off: curl -s 'localhost:8080/cgi-bin/maintenance?off'" ;;
esac
