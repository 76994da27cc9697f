# Right fix: old versions picked by creation date (`--filter before=` the newest), removed
# by ID without -f, so Docker itself refuses the one the legacy container runs; the newest
# also tagged `latest`, and the archive carries both tags of each image.
set -euo pipefail
for ref in tollgate-api:1.4 tollgate-worker:2.10; do
  for id in $(docker images -q --filter "before=$ref" "${ref%%:*}" | sort -u); do
    docker rmi "$id" || echo "kept $id: a container uses it"
  done
  docker tag "$ref" "${ref%%:*}:latest"
done
docker save -o usb/tollgate-booth.tar tollgate-api:1.4 tollgate-api:latest tollgate-worker:2.10 tollgate-worker:latest
docker context use booth
docker load -i usb/tollgate-booth.tar
docker context use default
