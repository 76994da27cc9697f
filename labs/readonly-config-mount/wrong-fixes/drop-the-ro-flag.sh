# Wrong fix: remove `:ro` from the file mount. The file is writable now, but tidewire
# replaces it by renaming config.json.tmp over it, and a mount point can't be renamed
# over: still EBUSY.
set -euo pipefail
sed -i 's|config\.json:ro$|config.json|' compose.yaml
grep -q '^      - ./tidewire/config.json:/home/app/.tidewire/config.json$' compose.yaml
docker compose up -d 2>&1 | tail -n 2
sleep 2
