# Task: the health check gives tidewatch its start-up time: start_period is at least as
# long as this start of the container took (from its StartedAt to the "ready" line logged
# in this same start), and the container is healthy. A start in progress, and a health
# status still "starting", are waited for (bounded), so the verdict doesn't depend on the
# moment Check is pressed.
cid=$(service_container tidewatch web)
[ -n "$cid" ] || fail "There is no container for the web service (Compose project tidewatch)." \
  "Start it with: ./deploy.sh (or docker compose up -d)"

# The probe's command comes last: it may hold a '|' of its own (`|| exit 1`), and read
# gives the last name the rest of the line.
IFS='|' read -r start_ns interval_ns retries test < <(docker inspect -f \
  '{{with .Config.Healthcheck}}{{printf "%d" .StartPeriod}}|{{printf "%d" .Interval}}|{{.Retries}}|{{join .Test " "}}{{else}}0|0|0|{{end}}' "$cid")
case "$test" in
  ''|NONE*) fail "The web container has no health check (the deploy waits for Docker to report it healthy)." \
              "Expected: a health check kept (in compose.yaml or the Dockerfile), with a start_period that covers tidewatch's start-up." ;;
esac

await_start "$cid"
IFS='|' read -r status restarts started < <(docker inspect -f '{{.State.Status}}|{{.RestartCount}}|{{.State.StartedAt}}' "$cid")
[ "$status" = running ] || fail "The web container is $(describe_state "$cid"), so its health can't be judged yet." \
  "Get it to start without crashing first (the first task)."
if ! ready=$(ready_in_this_start "$cid"); then
  [ "$restarts" -gt 0 ] && fail "The web container keeps restarting (restarted $restarts times) and this start hasn't got as far as \"ready\", so its health can't be judged yet." \
    "Get it to start without crashing first (the first task)."
  fail "tidewatch has not logged \"ready\" in this start, 12 s after the check began waiting; its last log line: $(last_log_line "$cid")" \
    "Get it to start first (the first task)."
fi

secs() { awk -v ns="$1" 'BEGIN { s = ns / 1e9; if (s == int(s)) printf "%d s", s; else printf "%.1f s", s }'; }
took=$(awk -v a="$(epoch "$started")" -v b="$ready" 'BEGIN { printf "%.1f", b - a }')
took_ns=$(awk -v t="$took" 'BEGIN { printf "%d", t * 1e9 }')
if [ "${interval_ns:-0}" -gt 0 ]; then every="every $(secs "$interval_ns")"; else every="every 30 s"; fi

if [ "$start_ns" -lt "$took_ns" ]; then
  period=$([ "$start_ns" -gt 0 ] && echo "start_period is $(secs "$start_ns")" || echo "there is no start_period")
  fail "This start of tidewatch took $took s (from the container's start to its \"ready\" line), but $period: the probes that fail while it loads count against it (retries: $retries, $every), so Docker reports it unhealthy before it is ready and docker compose up --wait gives up." \
    "Expected: a healthcheck start_period at least as long as the start-up, with some margin."
fi

# During start_period probes run every start_interval (5 s unless set): the first passing
# one comes a few seconds after "ready" at most.
health_settled() { health=$(docker inspect -f '{{with .State.Health}}{{.Status}}{{end}}' "$cid"); [ "$health" != starting ]; }
wait_until 12 health_settled
case "$health" in
  healthy) pass "The health check's start_period ($(secs "$start_ns")) covers this start of tidewatch ($took s to \"ready\"), and Docker reports it healthy." ;;
  starting) fail "The start_period ($(secs "$start_ns")) covers the start-up ($took s), but Docker still hasn't run a passing probe: health is \"starting\" 12 s after tidewatch was ready." \
              "During start_period, probes run every start_interval (5 s unless set)." ;;
  *) fail "tidewatch is ready, but Docker reports its health as \"${health:-none}\"." \
       "Last probe output: $(docker inspect -f '{{with .State.Health}}{{range .Log}}{{.Output}}{{end}}{{end}}' "$cid" | sed '/^$/d' | tail -n 1)" ;;
esac
