# Wrong fix (security shortcut): make the tide gauge listen on the host's own network
# address (its LAN, here tap0) and point the board there. Containers reach it, and so
# does every other machine on that network: the unauthenticated gauge is exposed.
set -euo pipefail
lan=$(ip -o -4 addr show | awk '$2 != "lo" && $2 != "docker0" && $2 !~ /^br-/ { split($4, p, "/"); print p[1]; exit }')
[ -n "$lan" ]
sed -i "s|^LISTEN=.*|LISTEN=$lan|" /etc/tidegauge/tidegauge.conf
/usr/local/sbin/tidegaugectl restart
sed -i "s|^      TIDEGAUGE_URL: .*|      TIDEGAUGE_URL: http://$lan:9400|" compose.yaml
docker compose up -d 2>&1 | tail -n 2
