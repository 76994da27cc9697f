# Wrong fix (security shortcut): put the board on the host's network, so that localhost
# means the host. The tide appears, but the container gives up its network isolation
# (it sees every loopback-only service of the host), its published port no longer
# applies, and it can't resolve the bookings service by name any more.
set -euo pipefail
sed -i 's|^    init: true   # a tiny init.*|&\n    network_mode: host|' compose.yaml
sed -i '/^    ports:$/,/^      - "8080:8080"$/d' compose.yaml
grep -q 'network_mode: host' compose.yaml
docker compose up -d 2>&1 | tail -n 2
sleep 2
