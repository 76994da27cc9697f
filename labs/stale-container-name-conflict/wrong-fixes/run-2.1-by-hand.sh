# Wrong fix: repeat the on-call engineer's move with the new version. The holder is
# removed and 2.1's API started by hand with `docker run --name berthboard-api`; the web
# board is brought up without its dependency. Everything answers today, but Compose
# doesn't manage the API, so the next `docker compose up` hits the same name conflict.
set -euo pipefail
docker rm -f berthboard-api >/dev/null
docker compose build 2>&1 | tail -n 1
docker run -d --name berthboard-api --init --restart unless-stopped \
  --network berthboard_default berthboard-api:2.1 >/dev/null
docker compose up -d --no-deps --remove-orphans web 2>&1 | grep -v '^#' | tail -n 3
sleep 1
