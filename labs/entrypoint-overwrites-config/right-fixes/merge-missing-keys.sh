# Right fix, a refreshing entrypoint: at every start, add to the settings file each
# setting of the template that it doesn't have yet (a first start gets them all, a new
# release's new settings arrive later), and never touch a setting that is already there,
# so whatever ferrycast and ferrycast-ctl saved stays. Lines are copied as they are:
# ferrycast expands ${NAME} itself.
set -euo pipefail
cat > entrypoint.sh <<'SH'
#!/bin/sh
# ferrycast entrypoint: merge the template's settings into the settings file.
set -eu

TEMPLATE=/opt/ferrycast/ferrycast.conf.tmpl
CONFIG=${FERRYCAST_CONFIG:-/var/lib/ferrycast/ferrycast.conf}

touch "$CONFIG"
added=$(awk -F'[ \t]*=' '
  FILENAME == ARGV[1] { if ($0 !~ /^[ \t]*#/ && NF > 1) { k = $1; gsub(/[ \t]/, "", k); have[k] = 1 }; next }
  /^[ \t]*#/ || NF < 2 { next }
  { k = $1; gsub(/[ \t]/, "", k); if (!(k in have)) print }
' "$CONFIG" "$TEMPLATE")
if [ -n "$added" ]; then
  printf '%s\n' "$added" >> "$CONFIG"
  echo "[entrypoint] added to $CONFIG: $(printf '%s\n' "$added" | cut -d= -f1 | tr -d ' ' | tr '\n' ' ')"
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
