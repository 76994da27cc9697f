# Task: the tide gauge service on the host (the sandbox, outside Docker) listens on port
# 9400 at an address that containers can reach, and a container on berthboard's network
# really gets its readings from there.
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
    docker run --rm --network "$net" --label drydock.probe=1 drydock/lab-base:latest wget -qO- -T 2 "$1" 2>&1
  fi
}
# gateway: the gateway address of berthboard's network (the host, seen from there).
gateway() {
  docker network inspect -f '{{range .IPAM.Config}}{{.Gateway}} {{end}}' berthboard_default 2>/dev/null | awk '{print $1}'
}
# ---------------------------------------------------------------------------------------

listeners=$(ss -Hltn 'sport = :9400' 2>/dev/null | awk '{print $4}' | sort -u)
[ -n "$listeners" ] || fail "Nothing on this host listens on port 9400: the tide gauge service isn't running." \
  "Start it with: tidegaugectl start (its log: /var/log/tidegauge.log)."

reachable=()
for l in $listeners; do
  addr=${l%:*}; addr=${addr#[}; addr=${addr%]}
  case "$addr" in 127.*|::1) continue ;; esac
  reachable+=("$addr")
done
if [ ${#reachable[@]} -eq 0 ]; then
  fail "The tide gauge listens only on $(tr '\n' ' ' <<< "$listeners" | sed 's/ $//') (loopback): only programs in the host's own network namespace can reach it." \
    "Every container has its own loopback, so no container can. Expected: tidegauge listening on an address of the host that containers can reach (see /etc/tidegauge/tidegauge.conf)."
fi

tried=()
for addr in "${reachable[@]}"; do
  case "$addr" in
    0.0.0.0|'*'|::) target=$(gateway); [ -n "$target" ] || target=172.17.0.1 ;;
    *) target=$addr ;;
  esac
  case "$target" in *:*) url="http://[$target]:9400/level" ;; *) url="http://$target:9400/level" ;; esac
  answer=$(probe "$url")
  if grep -qF "$gauge_id" <<< "$answer"; then
    pass "The tide gauge listens on $addr:9400, and a container on berthboard's network reads it at $url."
  fi
  tried+=("$url: $(head -n 1 <<< "$answer")")
done
list=$(printf '%s; ' "${tried[@]}")
fail "The tide gauge listens on $(tr '\n' ' ' <<< "$listeners" | sed 's/ $//'), but a container on berthboard's network can't read it there (${list%; })." \
  "Expected: a container gets the gauge's reading $gauge_id from it."
