# Shared by this lab's checks (prepended by the platform after labs/_lib/*.sh).

# exit_meaning CODE: what an exit code usually means, in a few words.
exit_meaning() {
  case "$1" in
    0) echo "its main process finished; a container lives only as long as its main process" ;;
    126) echo "126: the program was found but could not be executed (no execute permission, or not a program)" ;;
    127) echo "127: the program to run was not found in the image (or not on its PATH)" ;;
    137) echo "137: killed with SIGKILL (docker kill, or out of memory)" ;;
    143) echo "143: stopped with SIGTERM" ;;
    *) echo "$1: the program ran and reported an error of its own; its log says which" ;;
  esac
}

# check_stays_up SERVICE EXPECT: passes when the SERVICE container runs, started once (no
# restarts), and its own service answers on port 8080 with a status line starting with EXPECT.
check_stays_up() {
  local SERVICE=$1 EXPECT=$2 cid status code restarts main page age
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
  [ "$restarts" -eq 0 ] || fail "The $SERVICE container is running this moment, but Docker has restarted it $restarts times: it keeps exiting. Last log line: $(last_log_line "$cid")" \
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
  pass "$SERVICE runs and answers: $(head -n 1 <<< "$page")"
}
