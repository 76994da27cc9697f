# Wrong fix: set the timetable and the screens' display key again with ferrycast-ctl.
# The board is right until its next restart, when the entrypoint rewrites the file again.
set -euo pipefail
key=$(docker compose exec -T screen cat /var/lib/quay-screen/board.key)
docker compose exec -T board ferrycast-ctl set timetable winter-2026
docker compose exec -T board ferrycast-ctl set display_key "$key"
