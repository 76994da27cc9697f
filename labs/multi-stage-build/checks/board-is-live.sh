# Task: quayboard is deployed (the board container runs) and serves the pages compiled by
# skaldc: the generator tag and the departures table. Asked over the container's own IP
# address, so it works whatever ports are published and whatever tools the image has.
cid=$(service_container quayboard board)
[ -n "$cid" ] || fail "quayboard is not deployed: there is no board container." \
  "deploy.sh only starts it once the image is within the kiosks' 10 MB limit."

ip=$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}' "$cid" | awk '{print $1}')
page=''
answers() { [ -n "$ip" ] && page=$(curl -fsS -m 1 "http://$ip:8080/departures.html" 2>/dev/null); }
if ! retry_while_up 3 "$cid" answers; then
  state=$(describe_state "$cid")
  [ "$state" = running ] && fail "The board container runs, but nothing answers on port 8080 with /departures.html." \
    "Its last log line: $(last_log_line "$cid")"
  fail "The board container is $state; expected it running." "Its last log line: $(last_log_line "$cid")"
fi
grep -q 'name="generator" content="skaldc' <<< "$page" \
  || fail "The board serves /departures.html, but not as compiled by skaldc (no generator tag): $(head -c 80 <<< "$page" | tr '\n' ' ')..." \
    "Expected: the pages compiled in the build and copied into the image."
rows=$(grep -c '<tr>' <<< "$page")
[ "$rows" -ge 5 ] || fail "The compiled departures page has $rows rows in its table; expected the 5 departures from pages/departures.skald."
pass "quayboard is live: the board container serves the compiled departures ($rows departures)."
