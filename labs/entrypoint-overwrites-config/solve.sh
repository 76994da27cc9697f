# Solve: the entrypoint writes the settings file only when there is none (a first start
# on an empty volume), and copies the template as it is: ferrycast expands ${NAME} from
# its environment itself, so compose's settings still apply. After rebuilding, put back
# what the restart undid: the winter timetable and the key the quay screens know.
set -euo pipefail

cat > entrypoint.sh <<'SH'
#!/bin/sh
# ferrycast entrypoint: on the first start (no settings file yet), start from the
# template; from then on the settings file belongs to ferrycast and ferrycast-ctl.
set -eu

TEMPLATE=/opt/ferrycast/ferrycast.conf.tmpl
CONFIG=${FERRYCAST_CONFIG:-/var/lib/ferrycast/ferrycast.conf}

if [ ! -f "$CONFIG" ]; then
  # ferrycast expands ${NAME} references itself, so they are copied as they are.
  cp "$TEMPLATE" "$CONFIG"
  echo "[entrypoint] no settings yet: copied $TEMPLATE to $CONFIG"
fi

exec "$@"
SH

docker compose up -d --build 2>&1 | tail -n 3
board=$(service_container ferrycast board)
answers() { docker exec "$board" wget -qO /dev/null -T 1 http://127.0.0.1:8080/cgi-bin/status 2>/dev/null; }
wait_until 15 answers || { echo "solve: ferrycast did not come up" >&2; docker logs --tail 5 "$board" >&2; exit 1; }

key=$(docker compose exec -T screen cat /var/lib/quay-screen/board.key)
docker compose exec -T board ferrycast-ctl set timetable winter-2026
docker compose exec -T board ferrycast-ctl set display_key "$key"
