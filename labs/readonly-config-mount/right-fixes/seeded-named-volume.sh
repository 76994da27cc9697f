# Right fix: keep tidewire's config folder in a named volume instead of a host folder.
# The office's file is copied into the new volume once (keeping its owner, uid 1000)
# before tidewire first starts; tidewire migrates and saves it there, in a volume that
# outlives the container.
set -euo pipefail
sed -i 's|^      - \./tidewire/config\.json:/home/app/\.tidewire/config\.json:ro$|      - tidewire-home:/home/app/.tidewire|' compose.yaml
printf '\nvolumes:\n  tidewire-home:\n' >> compose.yaml
docker compose create --force-recreate 2>&1 | tail -n 1
docker compose cp -a tidewire/config.json tidewire:/home/app/.tidewire/config.json
docker compose up -d 2>&1 | tail -n 2
cid=$(service_container tidewire tidewire)
answers() { docker exec "$cid" wget -qO /dev/null -T 1 http://127.0.0.1:8080/cgi-bin/status 2>/dev/null; }
wait_until 15 answers
docker exec "$cid" grep -q '"configVersion": 2' /home/app/.tidewire/config.json
