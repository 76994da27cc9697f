# Task: the health check gives tidewatch its start-up time: start_period is at least as
# long as this container's start-up took (from StartedAt to its "ready" log line), and
# the container is healthy now.
cid=$(service_container tidewatch web)
[ -n "$cid" ] || fail "There is no container for the web service (Compose project tidewatch)." \
  "Start it with: ./deploy.sh (or docker compose up -d)"

IFS='|' read -r status restarts test start_ns interval_ns retries started health < <(docker inspect -f \
  '{{.State.Status}}|{{.RestartCount}}|{{with .Config.Healthcheck}}{{join .Test " "}}|{{printf "%d" .StartPeriod}}|{{printf "%d" .Interval}}|{{.Retries}}{{else}}|0|0|0{{end}}|{{.State.StartedAt}}|{{with .State.Health}}{{.Status}}{{end}}' "$cid")

case "$test" in
  ''|NONE*) fail "The web container has no health check (the deploy waits for Docker to report it healthy)." \
              "Expected: the healthcheck in compose.yaml kept, with a start_period that covers tidewatch's start-up." ;;
esac
[ "$status" = running ] || fail "The web container is $(describe_state "$cid"), so its health can't be judged yet." \
  "Get it to start without crashing first (the first task)."

ready=$(docker logs --timestamps "$cid" 2>&1 | grep -m 1 ' \[tidewatch\] ready after' | cut -d' ' -f1)
if [ -z "$ready" ] && [ "$restarts" -gt 0 ]; then
  fail "The web container keeps restarting (restarted $restarts times) and never got as far as \"ready\", so its health can't be judged yet." \
    "Get it to start without crashing first (the first task)."
fi
[ -n "$ready" ] || fail "tidewatch is still starting (no \"ready\" line in its log yet), health: ${health:-none}." \
  "Check again in a few seconds."

secs() { awk -v ns="$1" 'BEGIN { s = ns / 1e9; if (s == int(s)) printf "%d s", s; else printf "%.1f s", s }'; }
took=$(awk -v a="$(date -d "$started" +%s.%N)" -v b="$(date -d "$ready" +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
took_ns=$(awk -v t="$took" 'BEGIN { printf "%d", t * 1e9 }')

if [ "$start_ns" -lt "$took_ns" ]; then
  period=$([ "$start_ns" -gt 0 ] && echo "start_period is $(secs "$start_ns")" || echo "there is no start_period")
  fail "This start of tidewatch took $took s, but $period: the probes that fail while it loads count against it (retries: $retries, every $(secs "$interval_ns")), so Docker reports it unhealthy before it is ready and docker compose up --wait gives up." \
    "Expected: a healthcheck start_period at least as long as the start-up, with some margin."
fi

case "$health" in
  healthy) pass "The health check's start_period ($(secs "$start_ns")) covers tidewatch's start-up ($took s), and Docker reports it healthy." ;;
  starting) fail "The start_period ($(secs "$start_ns")) covers the start-up ($took s), but Docker hasn't run a passing probe yet: health is still \"starting\"." \
              "Check again in a few seconds (during start_period, probes run every start_interval, 5 s unless set)." ;;
  *) fail "tidewatch is ready, but Docker reports its health as \"${health:-none}\"." \
       "Last probe output: $(docker inspect -f '{{with .State.Health}}{{range .Log}}{{.Output}}{{end}}{{end}}' "$cid" | sed '/^$/d' | tail -n 1)" ;;
esac
