# Solve, task by task (solve_tasks in labs/_lib/setup.sh runs one part, or all in order):
# - timetable-survives-restart: the entrypoint writes the settings file only when there
#   is none (a first start on an empty volume), and copies the template as it is:
#   ferrycast expands ${NAME} from its environment itself, so compose's settings still
#   apply. Rebuild, then put back the winter timetable that the restart undid;
# - screens-stay-paired: put back the key the quay screens know.
set -euo pipefail

solve_timetable_survives_restart() {
  local board
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
  docker compose exec -T board ferrycast-ctl set timetable winter-2026
}

solve_screens_stay_paired() {
  local key board
  key=$(docker compose exec -T screen cat /var/lib/quay-screen/board.key)
  if grep -q '^ *FERRYCAST_TIMETABLE:' compose.yaml; then
    # The other sound design (settings rendered from compose.yaml's environment at every
    # start): ferrycast-ctl set would last only until the next restart, so the key goes
    # into compose.yaml too (run time, never the image).
    if grep -q '^display_key *=' ferrycast.conf.tmpl; then
      sed -i 's|^display_key *=.*|display_key = ${FERRYCAST_DISPLAY_KEY}|' ferrycast.conf.tmpl
    else
      echo 'display_key = ${FERRYCAST_DISPLAY_KEY}' >> ferrycast.conf.tmpl
    fi
    sed -i '/^ *FERRYCAST_DISPLAY_KEY:/d' compose.yaml
    sed -i "s|^\( *\)FERRYCAST_TIMETABLE:.*|&\n\1FERRYCAST_DISPLAY_KEY: \"$key\"|" compose.yaml
    docker compose up -d --build 2>&1 | tail -n 3
    board=$(service_container ferrycast board)
    answers() { docker exec "$board" wget -qO /dev/null -T 1 http://127.0.0.1:8080/cgi-bin/status 2>/dev/null; }
    wait_until 15 answers || { echo "solve: ferrycast did not come up" >&2; exit 1; }
  else
    docker compose exec -T board ferrycast-ctl set display_key "$key"
  fi
}

solve_tasks timetable-survives-restart screens-stay-paired -- "$@"
