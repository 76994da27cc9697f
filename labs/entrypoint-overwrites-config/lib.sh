# Shared by this lab's checks (prepended to every script of the lab: functions only).

# board_lock: both checks restart the real board; they take turns, so that each one
# sees the board before and after its own restart.
board_lock() {
  exec 9> /tmp/.drydock-ferrycast-check.lock
  flock -w 40 9 || true
}

board_status=''
# board_answers ID: ferrycast in container ID answers its status page (kept in $board_status).
board_answers() { board_status=$(docker exec "$1" wget -qO- -T 1 http://127.0.0.1:8080/cgi-bin/status 2>/dev/null); }

# restart_board ID: restart the container and wait until ferrycast answers again.
restart_board() {
  docker restart -t 5 "$1" >/dev/null 2>&1 || return 1
  wait_until 10 board_answers "$1"
}

# status_value KEY: a setting from the last $board_status.
status_value() { sed -n "s/^$1 = //p" <<< "$board_status"; }

# fresh_build: builds the board image from the project files as compose.yaml does, as
# $fresh_image (removed when the check ends); compose.yaml's board service in $fresh_json.
fresh_build() {
  local build context dockerfile out
  # Names of their own: the two checks run at once, possibly with the same $$.
  local id
  id=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
  fresh_tag=ferrycast-check:$id
  fresh_vol=ferrycast-check-$id
  fresh_cid=''
  trap 'docker rm -f "$fresh_cid" >/dev/null 2>&1; docker volume rm -f "$fresh_vol" >/dev/null 2>&1; docker rmi -f "$fresh_tag" >/dev/null 2>&1' EXIT
  trap 'exit 1' TERM INT

  local json
  json=$(docker compose --project-directory "$LAB_DIR" config --format json 2>/dev/null | jq -c '.services.board // empty')
  [ -n "$json" ] || fail "compose.yaml has no board service (docker compose config fails or lost it)."
  build=$(jq -c '.build // empty' <<< "$json")
  [ -n "$build" ] || fail "compose.yaml no longer builds the board from the project files (no build: under board)." \
    "The next deploy must build the fixed image from the repository: keep build: . for the board."
  context=$(jq -r '.context' <<< "$build")
  dockerfile=$(jq -r '.dockerfile // "Dockerfile"' <<< "$build")
  case "$dockerfile" in /*) ;; *) dockerfile="$context/$dockerfile" ;; esac
  # A label of this run's own makes the image's ID unique: checks running at once would
  # otherwise build the same ID, and one's `docker rmi` of its tag could delete the image
  # while another is tagging it (seen in CI as "No such image" right after a build).
  out=$(docker build -q --label "drydock.check.run=$$-$RANDOM$RANDOM" -f "$dockerfile" -t "$fresh_tag" "$context" 2>&1) \
    || fail "The board image does not build from the project files: $(grep -iE 'error' <<< "$out" | tail -n 1)"
  fresh_image=$fresh_tag
  fresh_json=$json
}

# fresh_board: the future, tried on the check's own copies. Builds the board image from
# the project files as compose.yaml does (its build context and Dockerfile), and runs it
# the way compose.yaml runs it (environment, entrypoint, command), on a NEW state volume:
#   1. first start;  2. the operator sets the winter timetable with ferrycast-ctl;
#   3. a recreate on the same volume, with compose.yaml's FERRYCAST_ROWS changed (the
#      next deploy of a changed compose.yaml).
# Sets fresh_rows_first, fresh_rows_compose, fresh_timetable_recreate,
# fresh_rows_wanted, fresh_rows_recreate, fresh_key_first, fresh_key_recreate and
# fresh_image; fails the check itself (with the reason) if the board can't be built or
# doesn't start. Cleans up after itself.
fresh_board() {
  fresh_build
  local rows run_args=() entrypoint command
  local json=$fresh_json

  # compose.yaml's environment, with FERRYCAST_ROWS set apart: the recreate changes it.
  while IFS= read -r line; do run_args+=(-e "$line"); done < <(jq -r '(.environment // {}) | to_entries[] | select(.key != "FERRYCAST_ROWS") | "\(.key)=\(.value // "")"' <<< "$json")
  rows=$(jq -r '.environment.FERRYCAST_ROWS // "6"' <<< "$json")
  fresh_rows_wanted=$([ "$rows" = 3 ] && echo 4 || echo 3)
  entrypoint=$(jq -c '.entrypoint // empty' <<< "$json")
  command=$(jq -c '.command // empty' <<< "$json")
  [ -z "$entrypoint" ] || run_args+=(--entrypoint "$(jq -r '.[0]' <<< "$entrypoint")")
  [ -z "$(jq -r '.user // empty' <<< "$json")" ] || run_args+=(--user "$(jq -r '.user' <<< "$json")")
  local cmd_args=()
  if [ -n "$entrypoint" ]; then
    while IFS= read -r a; do cmd_args+=("$a"); done < <(jq -r '.[1:][]' <<< "$entrypoint")
  fi
  if [ -n "$command" ]; then
    while IFS= read -r a; do cmd_args+=("$a"); done < <(jq -r '.[]' <<< "$command")
  fi
  docker volume create "$fresh_vol" >/dev/null || fail "Could not create a test volume."

  start() { # start ROWS: a new container of the fresh image on the test volume
    fresh_cid=$(docker run -d --init --network none --label drydock.probe=ferrycast-fresh \
      -v "$fresh_vol:/var/lib/ferrycast" -e "FERRYCAST_ROWS=$1" "${run_args[@]}" "$fresh_tag" "${cmd_args[@]}" 2>&1) \
      || fail "A board built from the project files could not be started: ${fresh_cid##*: }"
    wait_until 10 board_answers "$fresh_cid" || fail "A board built from the project files, started on a fresh state volume (a clean install, or a lost volume), does not answer: it is $(describe_state "$fresh_cid")." \
      "Its last log line: $(last_log_line "$fresh_cid"). The image must be able to start without settings someone put there by hand."
  }
  key() { docker exec "$fresh_cid" /opt/ferrycast/bin/ferrycast-ctl get display_key 2>/dev/null; }

  start "$rows"
  fresh_rows_first=$(status_value board_rows)
  fresh_rows_compose=$rows
  fresh_key_first=$(key)
  docker exec "$fresh_cid" /opt/ferrycast/bin/ferrycast-ctl set timetable winter-2026 >/dev/null 2>&1
  # (A restart runs the same entrypoint on the same volume as the recreate below; the
  # real board's restart is tried by the checks themselves.)
  docker rm -f "$fresh_cid" >/dev/null 2>&1
  start "$fresh_rows_wanted"
  fresh_timetable_recreate=$(status_value timetable)
  fresh_rows_recreate=$(status_value board_rows)
  fresh_key_recreate=$(key)
}
