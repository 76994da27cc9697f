# Wrong fix: pick "the newest" with a plain sort. Text order puts 2.9 after 2.10, so the
# newest worker is deleted, the previous one kept and shipped to the booth.
set -euo pipefail
for repo in tollgate-api tollgate-worker; do
  newest=$(docker images "$repo" --format '{{.Tag}}' | sort | tail -n 1)
  for tag in $(docker images "$repo" --format '{{.Tag}}'); do
    [ "$tag" != "$newest" ] || continue
    docker rmi "$repo:$tag" || true
  done
done
docker save -o usb/tollgate-booth.tar tollgate-api:1.4 tollgate-worker:2.9
docker --context booth load -i usb/tollgate-booth.tar
