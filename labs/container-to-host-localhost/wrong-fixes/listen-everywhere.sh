# Wrong fix: make the tide gauge listen on every interface (0.0.0.0) and change nothing
# else. Containers could reach the host now, but berthboard still asks localhost, which
# inside its container is the container itself. (And the gauge is now open to any
# network the host is on.)
set -euo pipefail
sed -i 's|^LISTEN=.*|LISTEN=0.0.0.0|' /etc/tidegauge/tidegauge.conf
/usr/local/sbin/tidegaugectl restart
docker compose restart board 2>&1 | tail -n 1
sleep 2
