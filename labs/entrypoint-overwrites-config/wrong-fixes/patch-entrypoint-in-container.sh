# Wrong fix: the right idea in the wrong place. Edit the entrypoint inside the running
# container so it renders only when the settings file is missing, then set everything
# again. It survives `docker restart`, but the image is unchanged: the next recreate
# (docker compose up --build, an upgrade) brings the old entrypoint back.
set -euo pipefail
docker compose exec -T -u root board sed -i \
  -e 's|^sed -e|[ -f "$CONFIG" ] \|\| sed -e|' \
  /usr/local/bin/ferrycast-entrypoint
docker compose exec -T board grep -q '^\[ -f "$CONFIG" \]' /usr/local/bin/ferrycast-entrypoint
key=$(docker compose exec -T screen cat /var/lib/quay-screen/board.key)
docker compose exec -T board ferrycast-ctl set timetable winter-2026
docker compose exec -T board ferrycast-ctl set display_key "$key"
