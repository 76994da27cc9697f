# Task: the web container runs, was never restarted since it was created (so it was not
# OOM-killed in a loop), and tidewatch finished its start-up (it logged "ready" in this
# start). A start in progress is waited for (bounded), so the verdict doesn't depend on
# the moment Check is pressed.
cid=$(service_container tidewatch web)
[ -n "$cid" ] || fail "There is no container for the web service (Compose project tidewatch)." \
  "Expected: tidewatch running. Start it with: ./deploy.sh (or docker compose up -d)"

await_start "$cid"
IFS='|' read -r status code oom restarts limit < <(docker inspect -f \
  '{{.State.Status}}|{{.State.ExitCode}}|{{.State.OOMKilled}}|{{.RestartCount}}|{{.HostConfig.Memory}}' "$cid")
limit_txt=$([ "$limit" -gt 0 ] && echo "its memory limit, $((limit / 1048576)) MiB" || echo "the memory available")
kills=$(docker logs "$cid" 2>&1 | grep -c '^Killed$')

if [ "$status" != running ]; then
  if [ "$oom" = true ] || [ "$code" = 137 ]; then
    fail "The web container is $(describe_state "$cid"), OOMKilled: $oom." \
      "The kernel killed tidewatch during start-up because it needed more than $limit_txt. Expected: it starts once and stays up."
  fi
  fail "The web container is $(describe_state "$cid"); expected it running." \
    "Its last log line: $(last_log_line "$cid")"
fi

if [ "$restarts" -gt 0 ]; then
  fail "The web container is running now, but Docker restarted it $restarts times since it was created ($kills starts ended in \"Killed\": the kernel killed tidewatch during start-up)." \
    "Expected: a container that started once and stayed up. Fix compose.yaml and recreate it (docker compose up -d)."
fi

ready_in_this_start "$cid" >/dev/null || {
  up=$(awk -v a="$(epoch "$(docker inspect -f '{{.State.StartedAt}}' "$cid")")" -v b="$(date +%s.%N)" 'BEGIN { printf "%d", b - a }')
  fail "tidewatch has been starting for $up s and has not logged \"ready\" yet; its last log line: $(last_log_line "$cid")" \
    "It needs about 6 s to load its model: a start that takes this long is stuck."
}
pass "tidewatch started once, without being OOM-killed, and is up ($(docker logs "$cid" 2>&1 | grep -o 'ready after [0-9]* s' | tail -n 1))."
