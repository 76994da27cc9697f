# Shared by this lab's checks (prepended by the platform after labs/_lib/*.sh).

# exit_meaning CODE: what an exit code usually means, in a few words.
exit_meaning() {
  case "$1" in
    0) echo "0: its main process finished; a container lives only as long as its main process" ;;
    126) echo "126: the program was found but could not be executed (no execute permission, or not a program)" ;;
    127) echo "127: the program to run was not found in the image (or not on its PATH)" ;;
    137) echo "137: killed with SIGKILL (docker kill, or out of memory)" ;;
    143) echo "143: stopped with SIGTERM" ;;
    *) echo "$1: the program ran and reported an error of its own; its log says which" ;;
  esac
}

# main_process ID: "COMM|ARGS" of the container's main process: PID 1, or, when PID 1 is
# Docker's init (init: true), the process it started: its child with the lowest PID
# (a daemon that forked away is reparented to init too, but later, with a higher PID).
# `docker exec` processes (parent PID 0) are not counted.
main_process() {
  docker exec "$1" sh -c '
    main=1
    if [ "$(cat /proc/1/comm 2>/dev/null)" = docker-init ]; then
      main=
      for d in /proc/[0-9]*; do
        set -- $(cat "$d/stat" 2>/dev/null)
        [ "${4:-}" = 1 ] || continue
        if [ -z "$main" ] || [ "$1" -lt "$main" ]; then main=$1; fi
      done
      main=${main:-1}
    fi
    printf "%s|%s\n" "$(cat /proc/$main/comm)" "$(tr "\0" " " < /proc/$main/cmdline | sed "s/ *$//")"
  ' 2>/dev/null
}

# check_stays_up SERVICE EXPECT [NOTE]: passes when the SERVICE container runs, started once (no
# restarts), its main process is the service itself (busybox httpd, which each service
# runs in the end), and it answers on port 8080 with a status line starting with EXPECT.
check_stays_up() {
  local SERVICE=$1 EXPECT=$2 NOTE=${3:-} cid status code restarts main comm page age
  cid=$(service_container quayside "$SERVICE")
  [ -n "$cid" ] || fail "There is no container for the $SERVICE service (Compose project quayside)." \
    "Create it with: docker compose up -d --build"

  IFS='|' read -r status code restarts < <(docker inspect -f '{{.State.Status}}|{{.State.ExitCode}}|{{.RestartCount}}' "$cid")
  case "$status" in
    running) ;;
    restarting)
      fail "The $SERVICE container is restarting (restarted $restarts times so far): a restart policy only repeats the failure." \
        "It exits with code $(exit_meaning "$code")." "Last log line: $(last_log_line "$cid")" ;;
    *)
      fail "The $SERVICE container is $(describe_state "$cid"). Exit code $(exit_meaning "$code")." \
        "Last log line: $(last_log_line "$cid")" ;;
  esac
  [ "$restarts" -eq 0 ] || fail "The $SERVICE container is running this moment, but Docker has restarted it $restarts times: it keeps exiting, and a restart policy only repeats the failure. Last log line: $(last_log_line "$cid")" \
    "Expected: a container that starts once and stays up. Fix the cause, then recreate it: docker compose up -d --build"

  main=$(docker inspect -f '{{.Path}} {{join .Args " "}}' "$cid")
  page=''
  status_page() { page=$(docker exec "$cid" wget -qO- -T 1 http://127.0.0.1:8080/cgi-bin/status 2>/dev/null); }
  # Give a container that has just started up to 3 s to answer; an older one must answer now.
  age=$(( $(date +%s) - $(date -d "$(docker inspect -f '{{.State.StartedAt}}' "$cid")" +%s) ))
  if ! retry_while_up $(( age < 3 ? 3 - age : 0 )) "$cid" status_page; then
    fail "The $SERVICE container is up, but nothing answers on its port 8080: its main process is \`$main\`, not the $SERVICE service." \
      "Expected: the container kept alive by $SERVICE itself. A command that only waits (tail -f /dev/null, sleep) hides the problem."
  fi
  grep -qF "$EXPECT" <<< "$page" || fail "$SERVICE answers, but not with what it should: \"$(head -n 1 <<< "$page")\"." \
    "Expected a status line starting with: $EXPECT"

  # The container must live exactly as long as the service: its main process is the
  # service's server (httpd), not a shell or a wait that keeps the container up.
  IFS='|' read -r comm main < <(main_process "$cid")
  [ "$comm" = httpd ] || fail "$SERVICE answers, but the container's main process is \`${main:-unknown}\`, not the $SERVICE server (httpd): the container would stay \"Up\" after $SERVICE itself stopped." \
    "Expected: $SERVICE's own server as the main process (the container lives and dies with it), as the image's command starts it."
  # A task-specific condition, judged once the service runs (sets the pass NOTE or fails).
  if declare -F also_check >/dev/null; then also_check "$cid"; fi
  pass "$SERVICE runs as the container's main process ($main), started once, and answers: $(head -n 1 <<< "$page")" ${NOTE:+"$NOTE"}
}

# mount_source ID PATH: the host path bind-mounted at PATH or at a folder above it
# (empty if PATH comes from no bind mount).
mount_source() {
  local m
  m=$(mount_covering "$1" "$2") || return 0
  case "$m" in "bind mount of "*) m=${m#bind mount of }; printf '%s\n' "${m% at *}" ;; esac
}

# image_starts_alone SERVICE: builds SERVICE's image from the repository as it is now
# (the build context and Dockerfile of `docker compose config`), untagged, runs it on
# its own (no Compose settings) and waits up to 4 s for its status page. Sets ALONE_WHY
# to what went wrong. Removes the test container, and the built image if it is new.
image_starts_alone() {
  local service=$1 cfg context dockerfile before img tc ok=1 code
  ALONE_WHY=''
  cfg=$(docker compose config --format json 2>/dev/null)
  context=$(jq -r --arg s "$service" '.services[$s].build.context // empty' <<< "$cfg")
  dockerfile=$(jq -r --arg s "$service" '.services[$s].build.dockerfile // "Dockerfile"' <<< "$cfg")
  [ -n "$context" ] || { ALONE_WHY="compose.yaml no longer builds $service from the repository"; return 1; }
  case "$dockerfile" in /*) ;; *) dockerfile="$context/$dockerfile" ;; esac
  before=$(docker images -aq --no-trunc)
  img=$(docker build -q -f "$dockerfile" "$context" 2>&1) || { ALONE_WHY="building $context fails: $(tail -n 1 <<< "$img")"; return 1; }
  img=$(tail -n 1 <<< "$img")
  tc=$(docker run -d --init --network none --label drydock.check=image-starts-alone "$img" 2>&1) \
    || { ALONE_WHY="docker run fails: $(tail -n 1 <<< "$tc")"; tc=''; ok=0; }
  if [ -n "$tc" ]; then
    for _ in $(seq 1 13); do
      docker exec "$tc" wget -qO- -T 1 http://127.0.0.1:8080/cgi-bin/status >/dev/null 2>&1 && break
      container_is_up "$tc" || break
      sleep 0.3
    done
    if ! docker exec "$tc" wget -qO- -T 1 http://127.0.0.1:8080/cgi-bin/status >/dev/null 2>&1; then
      ok=0
      code=$(docker inspect -f '{{.State.ExitCode}}' "$tc" 2>/dev/null)
      if container_is_up "$tc"; then ALONE_WHY="it runs, but does not answer on port 8080"
      else ALONE_WHY="it exits with code $(exit_meaning "$code"). Its log: $(last_log_line "$tc")"; fi
    fi
    docker rm -f "$tc" >/dev/null 2>&1
  fi
  grep -qxF "$img" <<< "$before" || docker rmi "$img" >/dev/null 2>&1
  [ "$ok" = 1 ]
}
