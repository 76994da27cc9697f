# Solve, task by task (solve_tasks in labs/_lib/setup.sh runs one part, or all in order):
# - gauge-reachable: let the tide gauge listen on the Docker bridge's address on the host
#   (172.17.0.1, reachable from containers, not from other machines);
# - board-shows-tide: give the board a name for the address the gauge listens on,
#   host.docker.internal (Docker's `host-gateway` when that is the default bridge's),
#   and point TIDEGAUGE_URL at it.
set -euo pipefail

solve_gauge_reachable() {
  local gw
  gw=$(docker network inspect -f '{{range .IPAM.Config}}{{.Gateway}}{{end}}' bridge)
  [ -n "$gw" ]
  sed -i "s|^LISTEN=.*|LISTEN=$gw|" /etc/tidegauge/tidegauge.conf
  /usr/local/sbin/tidegaugectl restart
}

solve_board_shows_tide() {
  local listen gw target cid
  # Wherever the gauge was made to listen (the default bridge, or the project's network).
  listen=$(sed -n 's/^LISTEN=//p' /etc/tidegauge/tidegauge.conf)
  gw=$(docker network inspect -f '{{range .IPAM.Config}}{{.Gateway}}{{end}}' bridge)
  target=$listen; [ "$listen" != "$gw" ] || target=host-gateway
  sed -i 's|^      TIDEGAUGE_URL: .*|      TIDEGAUGE_URL: http://host.docker.internal:9400|' compose.yaml
  if grep -qE '^ *- *"?host\.docker\.internal:' compose.yaml; then
    sed -i -E "s|^( *- *)\"?host\.docker\.internal:[^\"]*\"?\$|\1\"host.docker.internal:$target\"|" compose.yaml
  elif sed -n '/^  board:$/,/^  [a-z]/p' compose.yaml | grep -q '^    extra_hosts:'; then
    sed -i "/^  board:\$/,/^  [a-z]/{s|^    extra_hosts:.*|&\n      - \"host.docker.internal:$target\"|}" compose.yaml
  else
    sed -i "s|^  board:\$|&\n    extra_hosts:\n      - \"host.docker.internal:$target\"|" compose.yaml
  fi
  grep -q "host.docker.internal:$target" compose.yaml
  docker compose up -d 2>&1 | tail -n 2

  cid=$(service_container berthboard board)
  shows_tide() { grep -q '^tide: ok' <<< "$(docker exec "$cid" wget -qO- -T 3 http://127.0.0.1:8080/cgi-bin/status 2>/dev/null)"; }
  wait_until 15 shows_tide || { echo "solve: berthboard does not show the tide" >&2; docker logs --tail 5 "$cid" >&2; exit 1; }
}

solve_tasks gauge-reachable board-shows-tide -- "$@"
