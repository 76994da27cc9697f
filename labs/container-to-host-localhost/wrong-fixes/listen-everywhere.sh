# Wrong fix (security shortcut): make the tide gauge listen on every interface (0.0.0.0)
# and point the board at the host. berthboard shows the tide, but the gauge, which has
# no authentication, is now open to every network the host is on, as the hints warn.
set -euo pipefail
sed -i 's|^LISTEN=.*|LISTEN=0.0.0.0|' /etc/tidegauge/tidegauge.conf
/usr/local/sbin/tidegaugectl restart
sed -i 's|^      TIDEGAUGE_URL: .*|      TIDEGAUGE_URL: http://host.docker.internal:9400|' compose.yaml
sed -i 's|^    init: true   # a tiny init.*|&\n    extra_hosts:\n      - "host.docker.internal:host-gateway"|' compose.yaml
docker compose up -d 2>&1 | tail -n 2
