# Wrong fix: give tidewire a named volume for its config folder. It starts, because the
# new volume is empty and writable, but it writes a default config there: the harbour
# office's channel, webhook and quiet hours are not in use.
set -euo pipefail
sed -i 's|^      - \./tidewire/config\.json:/home/app/\.tidewire/config\.json:ro$|      - tidewire-config:/home/app/.tidewire|' compose.yaml
printf '\nvolumes:\n  tidewire-config:\n' >> compose.yaml
grep -q 'tidewire-config:/home/app/.tidewire' compose.yaml
docker compose up -d 2>&1 | tail -n 2
cid=$(service_container tidewire tidewire)
answers() { docker exec "$cid" wget -qO /dev/null -T 1 http://127.0.0.1:8080/cgi-bin/status 2>/dev/null; }
wait_until 15 answers
