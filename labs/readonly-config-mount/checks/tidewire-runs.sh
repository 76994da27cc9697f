# Task: tidewire 2.0 is up (not restarting) and answers on port 8080.
cid=$(service_container tidewire tidewire)
[ -n "$cid" ] || fail "There is no container for the tidewire service (Compose project tidewire)." \
  "Expected: tidewire 2.0 running. Start it with: docker compose up -d"

status=''
answers() { status=$(docker exec "$cid" wget -qO- -T 1 http://127.0.0.1:8080/cgi-bin/status 2>/dev/null); }
if ! retry_while_up 3 "$cid" answers; then
  state=$(describe_state "$cid")
  err=$(docker logs --tail 20 "$cid" 2>&1 | grep -m1 '^Error:' || true)
  [ "$state" = running ] && fail "The tidewire container is running, but tidewire does not answer on port 8080 inside it." \
    "Its last log line: $(last_log_line "$cid")"
  fail "The tidewire container is $state; expected it running." \
    "It fails with: ${err:-$(last_log_line "$cid")}"
fi
pass "tidewire runs and answers on port 8080 ($(sed -n 's/^config = //p' <<< "$status"))."
