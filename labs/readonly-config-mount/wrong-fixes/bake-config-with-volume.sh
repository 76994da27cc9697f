# Wrong fix: COPY the office's config into the image, and put a named volume over the
# config folder. Docker fills the new volume from the image, so tidewire starts with the
# office's settings and saves into the volume; but the webhook's secret token is now in
# the image, and edits to tidewire/config.json on the host never reach tidewire again.
set -euo pipefail
sed -i 's|^      - \./tidewire/config\.json:/home/app/\.tidewire/config\.json:ro$|      - tidewire-home:/home/app/.tidewire|' compose.yaml
printf '\nvolumes:\n  tidewire-home:\n' >> compose.yaml
grep -q 'tidewire-home:/home/app/.tidewire' compose.yaml
sed -i 's|^RUN chmod|COPY --chown=app:app tidewire/config.json /home/app/.tidewire/config.json\nRUN chmod|' Dockerfile
docker compose up -d --build 2>&1 | tail -n 2
cid=$(service_container tidewire tidewire)
answers() { docker exec "$cid" wget -qO /dev/null -T 1 http://127.0.0.1:8080/cgi-bin/status 2>/dev/null; }
wait_until 15 answers
