# Task: the web container runs, was never restarted since it was created (so it was not
# OOM-killed in a loop), and tidewatch finished its start-up (it logged "ready").
cid=$(service_container tidewatch web)
[ -n "$cid" ] || fail "There is no container for the web service (Compose project tidewatch)." \
  "Expected: tidewatch running. Start it with: ./deploy.sh (or docker compose up -d)"

IFS='|' read -r status code oom restarts limit < <(docker inspect -f \
  '{{.State.Status}}|{{.State.ExitCode}}|{{.State.OOMKilled}}|{{.RestartCount}}|{{.HostConfig.Memory}}' "$cid")
limit_txt=$([ "$limit" -gt 0 ] && echo "its memory limit, $((limit / 1048576)) MiB" || echo "the memory available")

if [ "$status" != running ]; then
  if [ "$oom" = true ] || [ "$code" = 137 ]; then
    fail "The web container is $(describe_state "$cid"), OOMKilled: $oom." \
      "The kernel killed tidewatch during start-up because it needed more than $limit_txt. Expected: it starts once and stays up."
  fi
  fail "The web container is $(describe_state "$cid"); expected it running." \
    "Its last log line: $(last_log_line "$cid")"
fi

if [ "$restarts" -gt 0 ]; then
  fail "The web container is running now, but Docker restarted it $restarts times since it was created (the last exit before that is why: see docker inspect and docker logs)." \
    "Expected: a container that started once and stayed up. Fix compose.yaml and recreate it (docker compose up -d): changes made with docker update don't survive the next deploy."
fi

if ! docker logs "$cid" 2>&1 | grep -q '^\[tidewatch\] ready after'; then
  up=$(( $(date +%s) - $(date -d "$(docker inspect -f '{{.State.StartedAt}}' "$cid")" +%s) ))
  fail "tidewatch has been starting for $up s and has not logged \"ready\" yet; its last log line: $(last_log_line "$cid")" \
    "It needs a few seconds to load its model: check again in a moment."
fi
pass "tidewatch started once, without being OOM-killed, and is up ($(docker logs "$cid" 2>&1 | grep -o 'ready after [0-9]* s' | tail -n 1))."
