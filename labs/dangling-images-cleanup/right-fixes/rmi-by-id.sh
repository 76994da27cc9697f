# Right fix, by hand: select the old untagged beacon builds with the same filters, and
# remove them one by one with a plain `docker rmi` (no -f). rmi refuses the two images
# that the stopped smoke-test containers use ("must be forced"), and that refusal is
# exactly what RETENTION.md wants.
set -uo pipefail
for id in $(docker images -q --filter dangling=true --filter label=project=beacon --filter until=24h | sort -u); do
  if docker rmi "$id" >/dev/null 2>&1; then
    echo "removed $id"
  else
    echo "kept $id (a container uses it)"
  fi
done
