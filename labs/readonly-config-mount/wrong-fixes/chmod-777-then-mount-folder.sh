# Wrong fix: first `chmod 777` (it didn't help), then the folder mount (which did), and
# the 777 left in place: tidewire works, but every user on the host can now replace the
# office's settings and read or change the webhook's secret token.
set -euo pipefail
chmod 777 tidewire
chmod 666 tidewire/config.json
sed -i 's|^\(      - \)\./tidewire/config\.json:/home/app/\.tidewire/config\.json:ro$|\1./tidewire:/home/app/.tidewire|' compose.yaml
grep -q '^      - ./tidewire:/home/app/.tidewire$' compose.yaml
docker compose up -d 2>&1 | tail -n 2
cid=$(service_container tidewire tidewire)
answers() { docker exec "$cid" wget -qO /dev/null -T 1 http://127.0.0.1:8080/cgi-bin/status 2>/dev/null; }
wait_until 15 answers
