# Wrong fix: only the .dockerignore. The context and the image shrink, but the source is
# still copied before the install, so every code change still reinstalls everything.
set -euo pipefail
printf '.git\ntestdata\n' > .dockerignore
docker compose up -d --build 2>&1 | tail -n 3
cid=$(service_container tidewise web)
wait_until 10 container_is_up "$cid"
