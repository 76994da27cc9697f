# Wrong fix: drop the mount and COPY the office's config into the image. tidewire runs
# with the right settings, but it saves into the container's writable layer (lost at the
# next recreate), edits on the host no longer reach it, and the webhook's secret token is
# now in the image.
set -euo pipefail
sed -i '/^    volumes:$/,/config\.json:ro$/d' compose.yaml
if grep -q 'config.json' compose.yaml; then echo 'the config file is still mounted' >&2; exit 1; fi
sed -i 's|^RUN chmod|COPY --chown=app:app tidewire/config.json /home/app/.tidewire/config.json\nRUN chmod|' Dockerfile
docker compose up -d --build 2>&1 | tail -n 2
cid=$(service_container tidewire tidewire)
answers() { docker exec "$cid" wget -qO /dev/null -T 1 http://127.0.0.1:8080/cgi-bin/status 2>/dev/null; }
wait_until 15 answers
