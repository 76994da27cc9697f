# Wrong fix: delete the volume mount from compose.yaml. The image's template is visible
# again, but the service no longer sees the logbook, and new entries would live in the
# container's writable layer and be lost on the next recreate.
set -euo pipefail
sed -i -e '/^    volumes:$/,/^      - data:/d' compose.yaml
if grep -q 'data:/home/app/harborlog' compose.yaml; then echo 'could not remove the mount' >&2; exit 1; fi
docker compose up -d --build 2>&1 | tail -n 3
cid=$(service_container harborlog web)
wait_until 10 container_is_up "$cid"
sleep 1
