# Wrong fix (the observable without the mechanism): the gauge listens on the Docker
# bridge, but berthboard is pointed at a copy of a reading, served by the bookings
# container. The board shows the gauge's id, but never a new reading.
set -euo pipefail
sed -i 's|^LISTEN=.*|LISTEN=172.17.0.1|' /etc/tidegauge/tidegauge.conf
/usr/local/sbin/tidegaugectl restart
curl -fsS -m 2 http://172.17.0.1:9400/level > bookings/level
sed -i 's|^      TIDEGAUGE_URL: .*|      TIDEGAUGE_URL: http://bookings:8080|' compose.yaml
docker compose up -d 2>&1 | tail -n 2
