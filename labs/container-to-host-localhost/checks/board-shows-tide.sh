# Task: berthboard, on its own network (not the host's), shows the tide read live from
# the gauge on the host, and still reaches the bookings service by its name. The check
# gives the gauge a fresh reading first (its gauge id is derived from DRYDOCK_SEED, the
# time stamp is new each time), so a copy of an older reading served elsewhere doesn't pass.
gauge_id="PE-$(seed_hex gauge 6)"
fresh="$gauge_id, reading at $(date -u +%H:%M:%S.%3N)"
printf '3.42 m above chart datum, rising (gauge %s)\n' "$fresh" > /srv/tidegauge/level 2>/dev/null || fresh=$gauge_id
cid=$(service_container berthboard board)
[ -n "$cid" ] || fail "There is no container for the board service (Compose project berthboard)." \
  "Start it with: docker compose up -d --build"

mode=$(docker inspect -f '{{.HostConfig.NetworkMode}}' "$cid")
if [ "$mode" = host ]; then
  fail "The board container shares the host's network (network_mode: host). localhost then means the host, but the container gives up its network isolation: it sees every service the host keeps on 127.0.0.1, its ports skip Docker's port mapping, and service names like bookings no longer resolve." \
    "This lab keeps berthboard on its own network: remove network_mode: host and let the board reach the host by an address instead."
fi

status=''
answers() { status=$(docker exec "$cid" wget -qO- -T 5 http://127.0.0.1:8080/cgi-bin/status 2>/dev/null); }
retry_while_up 5 "$cid" answers || fail "The board container is $(describe_state "$cid"), and berthboard doesn't answer on port 8080; expected it running." \
  "Its last log line: $(last_log_line "$cid")"

tide=$(grep -m1 '^tide: ' <<< "$status")
bookings=$(grep -m1 '^bookings: ' <<< "$status")
url=$(sed -n 's/.*(from \(.*\))$/\1/p' <<< "$tide")
if ! grep -qF "$gauge_id" <<< "$tide"; then
  case "$url" in
    *//localhost[:/]*|*//localhost|*//127.*|*//\[::1\]*)
      fail "berthboard reads the tide gauge at $url, and inside its container that is the container's own loopback: ${tide#tide: }" \
        "Expected: berthboard shows the reading of the gauge on the host ($gauge_id). Point it at an address of the host." ;;
    *)
      fail "berthboard can't read the tide gauge: ${tide#tide: }" \
        "Expected: the reading of the gauge on the host ($gauge_id)." ;;
  esac
fi
[[ "$bookings" == 'bookings: ok:'* ]] || fail "berthboard shows the tide, but can't read the bookings any more: ${bookings#bookings: }" \
  "Expected: it still reaches the bookings service by its name, on the project's network."
# The reading this check wrote, or a newer one: another check run at the same moment
# (a live check beside Check) may have written its own since; a copy is older.
written=${fresh##*reading at }
shown=$(sed -n "s/.*gauge $gauge_id, reading at \([0-9:.]*\)).*/\1/p" <<< "$tide")
if ! grep -qF "$fresh" <<< "$tide" && { [ "$written" = "$fresh" ] || [ -z "$shown" ] || [[ "$shown" < "$written" ]]; }; then
  fail "berthboard shows a reading of the gauge, but not the gauge's current reading: it shows \"${tide#tide: ok: }\", while the gauge on the host now says \"$fresh\"." \
    "berthboard reads a copy, not the gauge on the host. Expected: TIDEGAUGE_URL pointing at the host, where tidegauge listens."
fi
pass "berthboard shows the gauge's current reading, read from $url, and the bookings (from the bookings service)."
