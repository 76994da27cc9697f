# Wrong fix: drop the volume from compose.yaml so the image's template shows, then copy the
# logbook from the volume into the new container. The entries are served, but they live in
# the container's writable layer now: the next recreate throws them away, with every entry
# logged since.
set -euo pipefail
sed -i -e '/^    volumes:$/,/^      - data:/d' compose.yaml
if grep -q 'data:/home/app/harborlog' compose.yaml; then echo 'could not remove the mount' >&2; exit 1; fi
docker compose up -d --build 2>&1 | tail -n 1
cid=$(service_container harborlog web)
docker run --rm -v harborlog_data:/data drydock/lab-base:latest cat /data/logbook.txt \
  | docker exec -i "$cid" sh -c 'cat > /home/app/harborlog/logbook.txt'
docker exec "$cid" wget -qO- http://127.0.0.1:8080/cgi-bin/logbook | grep -c 'pilot ref'
