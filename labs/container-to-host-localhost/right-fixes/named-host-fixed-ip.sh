# Right fix, another route: the gauge listens on docker0's address, and the board gets
# a name of its own for it (tidegauge.host), mapped to that address in extra_hosts, set
# with `docker compose` overrides in a second file rather than by editing compose.yaml.
set -euo pipefail
sed -i 's|^LISTEN=.*|LISTEN=172.17.0.1|' /etc/tidegauge/tidegauge.conf
/usr/local/sbin/tidegaugectl restart
cat > compose.override.yaml <<'YAML'
services:
  board:
    extra_hosts:
      - "tidegauge.host:172.17.0.1"   # the host, on Docker's default bridge
    environment:
      TIDEGAUGE_URL: http://tidegauge.host:9400
YAML
docker compose up -d 2>&1 | tail -n 2
