# Wrong fix: the right image prune, then "while we're at it" the rest of the runner:
# every unused volume (tally's stock database), every unused network and the whole
# build cache. None of that was part of the cleanup.
set -euo pipefail
docker image prune -f --filter label=project=beacon --filter until=24h
docker volume prune -a -f
docker network prune -f
docker builder prune -a -f
