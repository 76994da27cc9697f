# Right fix, another route (the one the solution text mentions): the gauge listens on
# the gateway of berthboard's own Compose network, and the board reads that address.
set -euo pipefail
gw=$(docker network inspect -f '{{range .IPAM.Config}}{{.Gateway}}{{end}}' berthboard_default)
[ -n "$gw" ]
sed -i "s|^LISTEN=.*|LISTEN=$gw|" /etc/tidegauge/tidegauge.conf
/usr/local/sbin/tidegaugectl restart
sed -i "s|^      TIDEGAUGE_URL: .*|      TIDEGAUGE_URL: http://$gw:9400|" compose.yaml
docker compose up -d 2>&1 | tail -n 2
