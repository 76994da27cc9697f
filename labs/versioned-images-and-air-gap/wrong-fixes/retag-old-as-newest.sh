# Wrong fix: a plain `sort` deletes tollgate-worker:2.10 (it thinks 2.9 is newer); then,
# to have "a 2.10" again, 2.9's image is tagged 2.10 and shipped. Every tag looks right,
# but the server and the booth run the old worker under the new version's name.
set -euo pipefail
for repo in tollgate-api tollgate-worker; do
  newest=$(docker images "$repo" --format '{{.Tag}}' | sort | tail -n 1)
  for tag in $(docker images "$repo" --format '{{.Tag}}'); do
    [ "$tag" != "$newest" ] || continue
    docker rmi "$repo:$tag" || true
  done
done
docker tag tollgate-worker:2.9 tollgate-worker:2.10
docker rmi tollgate-worker:2.9
docker save -o usb/tollgate-booth.tar tollgate-api:1.4 tollgate-worker:2.10
docker --context booth load -i usb/tollgate-booth.tar
