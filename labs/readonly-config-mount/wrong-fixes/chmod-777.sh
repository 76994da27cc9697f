# Wrong fix: make the config world-writable on the host and recreate. Permissions were
# never the problem: the mount is still read-only, and still a single-file mount.
set -euo pipefail
chmod 777 tidewire
chmod 666 tidewire/config.json
docker compose up -d --force-recreate 2>&1 | tail -n 2
sleep 2
