# Task: the tide gauge service on the host (the sandbox, outside Docker) listens on port
# 9400 at an address that containers can reach and other machines can't (the host's
# address on a Docker bridge, not 0.0.0.0 and not the host's address on its own
# network), and a container on berthboard's network really gets its readings from there.
gauge_id="PE-$(seed_hex gauge 6)"

# --- lab helpers ----------------------------------------------------------------------
# probe URL: fetch URL from inside a container on berthboard's network (the bookings
# container if it runs, else a throwaway one); prints the body or wget's error.
probe() {
  local via
  via=$(service_container berthboard bookings)
  if [ -n "$via" ] && container_is_up "$via"; then
    docker exec "$via" wget -qO- -T 2 "$1" 2>&1
  else
    local net=berthboard_default
    docker network inspect "$net" >/dev/null 2>&1 || net=bridge
    run_container --network "$net" --label drydock.probe=1 drydock/lab-base:latest wget -qO- -T 2 "$1" 2>&1
  fi
}
# bridge_gateways: the host's address on each Docker bridge network ("ADDRESS NETWORK").
bridge_gateways() {
  # One argument per network id (hex words: the split is the point).
  # shellcheck disable=SC2046
  docker network inspect -f '{{.Driver}} {{.Name}} {{range .IPAM.Config}}{{.Gateway}} {{end}}' $(docker network ls -q) 2>/dev/null \
    | awk '$1 == "bridge" { for (i = 3; i <= NF; i++) print $i, $2 }'
}
# interface_of ADDRESS: the host's interface that holds ADDRESS (empty if none).
interface_of() { ip -o addr show 2>/dev/null | awk -v a="$1" '{ split($4, p, "/"); if (p[1] == a) { print $2; exit } }'; }
# outward: the host's addresses on interfaces that are neither loopback nor Docker's.
outward() {
  ip -o -4 addr show 2>/dev/null | awk '$2 != "lo" && $2 != "docker0" && $2 !~ /^br-/ && $2 !~ /^veth/ { split($4, p, "/"); printf "%s%s %s", s, $2, p[1]; s = ", " }'
}
# ---------------------------------------------------------------------------------------

listeners=$(ss -Hltn 'sport = :9400' 2>/dev/null | awk '{print $4}' | sort -u)
[ -n "$listeners" ] || fail "Nothing on this host listens on port 9400: the tide gauge service isn't running." \
  "Start it with: tidegaugectl start (its log: /var/log/tidegauge.log)."
shown=$(tr '\n' ' ' <<< "$listeners" | sed 's/ $//')
gateways=$(bridge_gateways)
bridge_example=$(awk '$2 == "bridge" { print $1; exit }' <<< "$gateways"); bridge_example=${bridge_example:-172.17.0.1}

reachable=()
for l in $listeners; do
  addr=${l%:*}; addr=${addr#[}; addr=${addr%]}
  case "$addr" in
    127.*|::1) continue ;;
    0.0.0.0|'*'|::)
      fail "The tide gauge listens on every interface ($l): containers can reach it, but so can every machine on the networks this host is on ($(outward)), and the gauge has no authentication." \
        "Expected: tidegauge on the host's address on a Docker bridge (e.g. $bridge_example, docker0's), which only this host and its containers reach. LISTEN in /etc/tidegauge/tidegauge.conf." ;;
  esac
  network=$(awk -v a="$addr" '$1 == a { print $2; exit }' <<< "$gateways")
  if [ -z "$network" ]; then
    iface=$(interface_of "$addr")
    fail "The tide gauge listens on $addr:9400, the host's address on ${iface:-an interface that is not a Docker bridge}, a network shared with other machines: they can all read the unauthenticated gauge there." \
      "Expected: tidegauge on the host's address on a Docker bridge (e.g. $bridge_example, docker0's), which only this host and its containers reach. LISTEN in /etc/tidegauge/tidegauge.conf."
  fi
  reachable+=("$addr")
done
if [ ${#reachable[@]} -eq 0 ]; then
  fail "The tide gauge listens only on $shown (loopback): only programs in the host's own network namespace can reach it." \
    "Every container has its own loopback, so no container can. Expected: tidegauge listening on the host's address on a Docker bridge (see /etc/tidegauge/tidegauge.conf)."
fi

tried=()
for addr in "${reachable[@]}"; do
  case "$addr" in *:*) url="http://[$addr]:9400/level" ;; *) url="http://$addr:9400/level" ;; esac
  answer=$(probe "$url")
  if grep -qF "$gauge_id" <<< "$answer"; then
    network=$(awk -v a="$addr" '$1 == a { print $2; exit }' <<< "$gateways")
    pass "The tide gauge listens on $addr:9400 (the host's address on Docker network $network), and a container on berthboard's network reads it at $url."
  fi
  tried+=("$url: $(head -n 1 <<< "$answer")")
done
list=$(printf '%s; ' "${tried[@]}")
fail "The tide gauge listens on $shown, but a container on berthboard's network can't read it there (${list%; })." \
  "Expected: a container gets the gauge's reading $gauge_id from it."
