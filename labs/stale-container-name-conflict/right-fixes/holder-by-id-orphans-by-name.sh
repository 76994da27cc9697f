# Right fix: find the holder by the incident label the on-call engineer gave it, stop and
# remove it by ID, deploy 2.1, then remove the two orphans Compose warns about by name
# (instead of --remove-orphans).
set -euo pipefail
holder=$(docker ps -aq --filter label=ops.incident --filter name=berthboard-api)
[ "$(echo "$holder" | wc -l)" = 1 ]
docker stop -t 1 "$holder" >/dev/null
docker rm "$holder" >/dev/null
docker compose up -d --build 2>&1 | grep -v '^#' | tail -n 3
docker rm -f berthboard-sync-1 berthboard-cache-1
