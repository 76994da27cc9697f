# Drydock shared helpers for lab scripts.
# The platform prepends this file to every setup, check, solve and wrong-fix script
# (run as `bash -c`, cwd = the lab's workdir), so those scripts call these directly.
# Only functions here: nothing runs on load and no shell options are changed.
# Needs only what the sandbox has: bash, docker, coreutils, grep, sed.

# pass [LINE...] / fail [LINE...]: print the reason (one argument per line) and end
# the script with exit 0 / 1. A check's output is shown to the learner: keep it to
# 1-3 lines that say what was expected, what was found and what is still wrong.
pass() { [ $# -eq 0 ] || printf '%s\n' "$@"; exit 0; }
fail() { [ $# -eq 0 ] || printf '%s\n' "$@"; exit 1; }

# service_container PROJECT SERVICE: ID of the newest container Compose created for
# SERVICE (in any state); empty if there is none. One-off `docker compose run`
# containers are ignored.
service_container() {
  docker ps -aq \
    --filter "label=com.docker.compose.project=$1" \
    --filter "label=com.docker.compose.service=$2" \
    --filter "label=com.docker.compose.oneoff=False" 2>/dev/null | head -n 1
}

# container_state ID: created, running, restarting, paused, exited, dead, or empty.
container_state() { docker inspect -f '{{.State.Status}}' "$1" 2>/dev/null; }

# container_is_up ID: true if the container is running (not restarting, not paused).
container_is_up() { [ "$(container_state "$1")" = running ]; }

# describe_state ID: the state in words, to follow "The container is ...", e.g.
# "restarting (exit code 1, restarted 5 times)" or "stopped (exited with code 137)".
describe_state() {
  local status code restarts started up_for
  IFS='|' read -r status code restarts started < <(docker inspect -f '{{.State.Status}}|{{.State.ExitCode}}|{{.RestartCount}}|{{.State.StartedAt}}' "$1" 2>/dev/null)
  case "$status" in
    restarting) echo "restarting (exit code $code, restarted $restarts times)" ;;
    running)
      # Between two crashes a crash-looping container is briefly "running" again;
      # calling that running would send the learner looking in the wrong place.
      up_for=$(( $(date +%s) - $(date -d "$started" +%s 2>/dev/null || date +%s) ))
      if [ "$restarts" -gt 0 ] && [ "$up_for" -lt 10 ]; then
        echo "restarting over and over (restarted $restarts times, up again for only ${up_for} s)"
      else
        echo running
      fi ;;
    exited) echo "stopped (exited with code $code)" ;;
    dead) echo "dead (exit code $code)" ;;
    created) echo "created but never started" ;;
    '') echo "gone" ;;
    *) echo "$status" ;;
  esac
}

# last_log_line ID: the container's last non-empty log line (stdout or stderr).
last_log_line() {
  docker logs --tail 20 "$1" 2>&1 | sed '/^[[:space:]]*$/d' | tail -n 1
}

# mount_covering ID PATH: if a mount of the container covers PATH (PATH is the mount's
# destination or lies below it), print it as e.g. "volume harborlog_data at /data" and
# succeed; otherwise fail. The most specific mount wins.
mount_covering() {
  local path="${2%/}" best='' best_len=0 type name src dst
  [ -n "$path" ] || path=/
  while IFS='|' read -r type name src dst; do
    [ -n "$dst" ] || continue
    dst="${dst%/}"
    if [ "$path" = "$dst" ] || [ -z "$dst" ] || [[ "$path" == "$dst"/* ]]; then
      if [ "${#dst}" -ge "$best_len" ]; then
        best_len=${#dst}
        case "$type" in
          volume) best="volume ${name} at ${dst:-/}" ;;
          bind) best="bind mount of ${src} at ${dst:-/}" ;;
          *) best="${type} mount at ${dst:-/}" ;;
        esac
      fi
    fi
  done < <(docker inspect -f '{{range .Mounts}}{{.Type}}|{{.Name}}|{{.Source}}|{{.Destination}}{{"\n"}}{{end}}{{range $dst, $opts := .HostConfig.Tmpfs}}tmpfs|||{{$dst}}{{"\n"}}{{end}}' "$1" 2>/dev/null)
  [ -n "$best" ] && printf '%s\n' "$best"
}

# seed_hex LABEL [LENGTH]: hex string derived from DRYDOCK_SEED and LABEL (default 8
# characters). Same session + same label = same value, in setup, checks and solve.
seed_hex() {
  printf '%s:%s' "${DRYDOCK_SEED:?DRYDOCK_SEED is not set}" "$1" | sha256sum | cut -c "1-${2:-8}"
}

# retry_while_up SECONDS ID COMMAND [ARG...]: like wait_until, but gives up at once
# (return 1) when the container is not running, e.g. restarting in a crash loop. For
# asking a service something right after it was (re)started.
retry_while_up() {
  local deadline=$((SECONDS + $1)) id=$2; shift 2
  until container_is_up "$id" && "$@"; do
    container_is_up "$id" && [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.3
  done
}

# run_container ARG...: `docker run --rm ARG...`, asked up to twice more (after 1 s,
# then 3 s) when the engine itself failed to start the container (exit 125, which a
# loaded host sometimes gives): a look inside an image or a volume must not turn an
# engine hiccup into a verdict on the learner's work. Still 125 after that: the
# engine's own message is on stderr, for the check to pass on.
run_container() {
  local status wait
  for wait in 1 3 ''; do
    docker run --rm "$@" && return 0
    status=$?
    [ "$status" -eq 125 ] && [ -n "$wait" ] || return "$status"
    sleep "$wait"
  done
}

# image_file IMAGE PATH: print the file at PATH in IMAGE without running the image
# (docker create, then docker cp): nothing starts, so no output can be lost to a
# container that exits before the engine attached to it, as `docker run` of a
# quick `cat` sometimes did on a loaded host. Fails (1) if there is no such file,
# 125 if the engine could not create the container (its message on stderr). The
# entrypoint is never run; it only lets an image without a command be created.
image_file() {
  local cid status
  cid=$(docker create --label drydock.probe=1 --entrypoint /nonexistent "$1") || return 125
  docker cp "$cid:$2" - 2>/dev/null | tar -xO 2>/dev/null
  status=${PIPESTATUS[0]}
  docker rm -v "$cid" >/dev/null 2>&1
  [ "$status" -eq 0 ] || return 1
}

# wait_until SECONDS COMMAND [ARG...]: run COMMAND every 0.3 s until it succeeds
# (return 0) or SECONDS have passed (return 1).
wait_until() {
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.3
  done
}
