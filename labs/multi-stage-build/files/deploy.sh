#!/bin/sh
# Build quayboard and roll it out to the kiosks.
# The kiosks pull the image over the terminal's mobile link and have little storage:
# the fleet accepts images of at most 10 MB (as `docker images` counts them).
set -eu
LIMIT_MB=10
IMAGE=quayboard:2.0

docker compose build
size=$(docker image inspect -f '{{.Size}}' "$IMAGE")
shown=$(awk -v b="$size" 'BEGIN { printf "%.1f MB", b / 1000000 }')
if [ "$size" -gt $((LIMIT_MB * 1000000)) ]; then
  echo "deploy: $IMAGE is $shown; the kiosks accept at most $LIMIT_MB MB. Not deployed." >&2
  exit 1
fi
docker compose up -d
echo "deploy: $IMAGE ($shown) is live on the kiosks"
