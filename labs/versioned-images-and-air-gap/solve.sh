# Solve: keep the newest version of each repository (sorted as version numbers), remove
# the others without --force, so that Docker itself refuses to remove the one that a
# running container uses; then save the newest images by name and load them at the booth.
set -euo pipefail
for repo in tollgate-api tollgate-worker; do
  newest=$(docker images "$repo" --format '{{.Tag}}' | sort -V | tail -n 1)
  for tag in $(docker images "$repo" --format '{{.Tag}}'); do
    [ "$tag" != "$newest" ] || continue
    docker rmi "$repo:$tag" || echo "kept $repo:$tag: a container uses it"
  done
done
docker save -o usb/tollgate-booth.tar tollgate-api:1.4 tollgate-worker:2.10
docker --context booth load -i usb/tollgate-booth.tar
