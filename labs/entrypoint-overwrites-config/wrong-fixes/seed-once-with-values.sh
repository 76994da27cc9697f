# Wrong fix: wrap the entrypoint's rendering in "only if there is no settings file yet".
# Restarts keep the operator's settings now, but the file holds the environment's values
# as they were at the first start: the next change to FERRYCAST_ROWS or
# FERRYCAST_TERMINAL in compose.yaml never reaches ferrycast (the file is never
# refreshed).
set -euo pipefail
cat > entrypoint.sh <<'SH'
#!/bin/sh
# ferrycast entrypoint: write the settings file from the template on the first start.
set -eu

TEMPLATE=/opt/ferrycast/ferrycast.conf.tmpl
CONFIG=${FERRYCAST_CONFIG:-/var/lib/ferrycast/ferrycast.conf}

if [ ! -f "$CONFIG" ]; then
  sed -e "s|\${FERRYCAST_TERMINAL}|${FERRYCAST_TERMINAL:-Ferry terminal}|g" \
      -e "s|\${FERRYCAST_ROWS}|${FERRYCAST_ROWS:-6}|g" \
      "$TEMPLATE" > "$CONFIG"
  echo "[entrypoint] wrote $CONFIG from $TEMPLATE"
fi

exec "$@"
SH
docker compose up -d --build 2>&1 | tail -n 2
board=$(service_container ferrycast board)
answers() { docker exec "$board" wget -qO /dev/null -T 1 http://127.0.0.1:8080/cgi-bin/status 2>/dev/null; }
wait_until 15 answers
key=$(docker compose exec -T screen cat /var/lib/quay-screen/board.key)
docker compose exec -T board ferrycast-ctl set timetable winter-2026
docker compose exec -T board ferrycast-ctl set display_key "$key"
