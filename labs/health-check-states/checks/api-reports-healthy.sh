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

IFS='|' read -r status streak < <(docker inspect -f '{{.State.Health.Status}}|{{.State.Health.FailingStreak}}' "$cid")
last=$(docker inspect -f '{{range .State.Health.Log}}{{.ExitCode}}: {{.Output}}{{"\n"}}{{end}}' "$cid" | sed '/^[[:space:]]*$/d' | tail -n 1)
case "$status" in
  healthy) pass "Docker reports the api container healthy (health check: $test)." ;;
  starting) fail "The api container has a health check, but its health is still \"starting\" (failing streak: $streak)." \
              "Give it a few seconds (pilotdesk needs about 4 s to load its roster) and check again. Last probe: ${last:-none yet}" ;;
  *) fail "Docker reports the api container $status: $streak probes in a row failed." \
       "Last probe (exit code: output): ${last:-none}" \
       "If maintenance mode is on, switch it off: curl -s 'localhost:8080/cgi-bin/maintenance?off'" ;;
esac
