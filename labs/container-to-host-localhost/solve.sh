# Solve: let the tide gauge listen on the Docker bridge's address on the host (172.17.0.1,
# reachable from containers, not from other machines), and give the board a name for
# that address: host.docker.internal, mapped by Docker from `host-gateway`.
set -euo pipefail

gw=$(docker network inspect -f '{{range .IPAM.Config}}{{.Gateway}}{{end}}' bridge)
[ -n "$gw" ]
sed -i "s|^LISTEN=.*|LISTEN=$gw|" /etc/tidegauge/tidegauge.conf
/usr/local/sbin/tidegaugectl restart

sed -i 's|^      TIDEGAUGE_URL: .*|      TIDEGAUGE_URL: http://host.docker.internal:9400|' compose.yaml
sed -i 's|^    init: true   # a tiny init.*|&\n    extra_hosts:\n      - "host.docker.internal:host-gateway"|' compose.yaml
grep -q 'host.docker.internal:host-gateway' compose.yaml
docker compose up -d 2>&1 | tail -n 2

cid=$(service_container berthboard board)
shows_tide() { grep -q '^tide: ok' <<< "$(docker exec "$cid" wget -qO- -T 3 http://127.0.0.1:8080/cgi-bin/status 2>/dev/null)"; }
wait_until 15 shows_tide || { echo "solve: berthboard does not show the tide" >&2; docker logs --tail 5 "$cid" >&2; exit 1; }
