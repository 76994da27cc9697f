# Task: quayboard is deployed (the board container runs) and serves the pages compiled by
# skaldc: the generator tag and the departures table. Asked over the container's own IP
# address, so it works whatever ports are published and whatever tools the image has.
# Then the next release: the check builds the repository again (on its own tag) with one
# more departure in pages/departures.skald, and that image's departures page must have it,
# compiled: pages compiled once by hand and copied in would go stale.
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

qb_next_build || fail "The board serves the compiled departures, but building the repository again (as ./deploy.sh does) fails: $next_error"
probe=$(docker create --network none --label drydock.probe=1 "$next" 2>&1) || fail "Could not look inside the rebuilt image: $probe"
compiled=$(docker export "$probe" | tar -xO --wildcards '*departures.html' 2>/dev/null)
docker rm -v "$probe" >/dev/null 2>&1
grep -qF "<td>$marker</td>" <<< "$compiled" \
  || fail "The board serves the compiled departures, but a build of the repository with one more departure in pages/departures.skald ships a departures.html without it: the build copies pages compiled earlier instead of compiling pages/, so the next release would show stale departures." \
    "Expected: a build stage that runs skaldc on pages/ at every build, and a final stage that copies its output."
pass "quayboard is live: the board container serves the compiled departures ($rows departures), and a build with one more departure in pages/ compiles it into the image."
