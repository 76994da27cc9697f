# Wrong fix: point the board at host.docker.internal (with host-gateway) but leave the
# tide gauge listening on 127.0.0.1. The board now knocks on the right host, at an
# address where nothing listens.
set -euo pipefail
sed -i 's|^      TIDEGAUGE_URL: .*|      TIDEGAUGE_URL: http://host.docker.internal:9400|' compose.yaml
sed -i 's|^    init: true   # a tiny init.*|&\n    extra_hosts:\n      - "host.docker.internal:host-gateway"|' compose.yaml
docker compose up -d 2>&1 | tail -n 2
sleep 2
