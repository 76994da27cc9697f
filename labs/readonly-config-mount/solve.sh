# Solve: mount the host folder that holds config.json, writable, instead of the file on
# its own. tidewire can then write config.json.tmp next to config.json and rename it over
# it; the migrated config (with the office's settings) lands on the host.
set -euo pipefail
sed -i 's|^\(      - \)\./tidewire/config\.json:/home/app/\.tidewire/config\.json:ro$|\1./tidewire:/home/app/.tidewire|' compose.yaml
grep -q '^      - ./tidewire:/home/app/.tidewire$' compose.yaml
docker compose up -d 2>&1 | tail -n 2
cid=$(service_container tidewire tidewire)
answers() { docker exec "$cid" wget -qO /dev/null -T 1 http://127.0.0.1:8080/cgi-bin/status 2>/dev/null; }
wait_until 15 answers || { echo "solve: tidewire did not come up" >&2; docker logs --tail 5 "$cid" >&2; exit 1; }
grep -q '"configVersion": 2' tidewire/config.json
