# Wrong fix: a correct cleanup, then the images saved by ID ("IDs are unambiguous").
# The archive has no tags, so the booth gets two untagged <none> images.
set -euo pipefail
docker rmi tollgate-api:1.0 tollgate-api:1.1 tollgate-api:1.3 tollgate-worker:2.8 tollgate-worker:2.9
docker save -o usb/tollgate-booth.tar \
  "$(docker image inspect -f '{{.Id}}' tollgate-api:1.4)" "$(docker image inspect -f '{{.Id}}' tollgate-worker:2.10)"
docker --context booth load -i usb/tollgate-booth.tar
