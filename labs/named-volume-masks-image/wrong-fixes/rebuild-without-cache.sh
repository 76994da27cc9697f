# Wrong fix: blame the build cache. Rebuilding from scratch and recreating the container
# changes nothing: the volume still holds 1.0's files and still hides the template.
set -euo pipefail
docker compose build --no-cache 2>&1 | tail -n 3
docker compose up -d --force-recreate 2>&1 | tail -n 3
sleep 2
