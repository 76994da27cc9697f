# Task: berthboard, on its own network (not the host's), shows the tide read from the
# gauge on the host (its reading carries an id derived from DRYDOCK_SEED), and still
# reaches the bookings service by its name.
gauge_id="PE-$(seed_hex gauge 6)"
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
pass "berthboard shows the tide from the gauge on the host ($url) and the bookings."
