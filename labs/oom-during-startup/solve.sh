# Solve, task by task (solve_tasks in labs/_lib/setup.sh runs one part, or all in order):
# - starts-without-oom: raise the memory limit above the start-up peak (about 161 MiB)
#   and recreate the container;
# - memory-limit-with-headroom: keep a limit in compose.yaml, with headroom and within
#   the 256 MiB budget (224 MiB; after the first part it already is);
# - start-period-covers-startup: give the health check a start_period that covers the
#   ~6 s start-up (and probe every second during it, every 10 s after); redeploy and wait
#   until healthy.
set -euo pipefail

# A limit of 224 MiB where compose.yaml sets one (deploy.resources or mem_limit), or a
# new one if the learner's own fix removed it.
limit_with_headroom() {
  if grep -qE '^ *memory: *' compose.yaml; then
    sed -i -E 's|^( *memory: *).*$|\1224M|' compose.yaml
  elif grep -qE '^ *mem_limit: *' compose.yaml; then
    sed -i -E 's|^( *mem_limit: *).*$|\1224m|' compose.yaml
  else
    sed -i 's|^  web:$|&\n    mem_limit: 224m|' compose.yaml
  fi
  docker compose config -q
}

# restart_and_wait_ready: recreate the container and wait for tidewatch's "ready" line.
# The container is looked up on each try: one listed while Compose replaced it is gone
# a moment later (ci60: "No such container" for 30 s).
restart_and_wait_ready() {
  docker compose up -d --build 2>&1 | grep -v '^#' | tail -n 2
  ready() { docker logs "$(service_container tidewatch web)" 2>&1 | grep -q 'ready after'; }
  wait_until 30 ready || {
    echo "solve: tidewatch did not finish its start-up" >&2
    docker logs --tail 5 "$(service_container tidewatch web)" >&2
    exit 1
  }
}

solve_starts_without_oom() {
  limit_with_headroom
  restart_and_wait_ready
}

solve_memory_limit_with_headroom() {
  limit_with_headroom
  restart_and_wait_ready
}

# health_setting KEY VALUE: sets KEY of the web service's health check in compose.yaml.
health_setting() {
  if grep -qE "^ *$1:" compose.yaml; then
    sed -i -E "s|^( *$1:).*$|\1 $2|" compose.yaml
  else
    sed -i -E "s|^    healthcheck:$|&\n      $1: $2|" compose.yaml
  fi
}

solve_start_period_covers_startup() {
  grep -q '^    healthcheck:$' compose.yaml \
    || { echo "solve: compose.yaml's web service has no healthcheck: to set its start_period in" >&2; exit 1; }
  health_setting start_period 20s
  health_setting start_interval 1s
  # Probe often while it starts (start_interval), rarely once it runs: a probe every
  # second all day costs a few percent of a core.
  sed -i -E 's|^( *interval: *)1s$|\110s|' compose.yaml
  docker compose config -q
  DEPLOY_WAIT=40 sh deploy.sh 2>&1 | tail -n 3
}

solve_tasks starts-without-oom memory-limit-with-headroom start-period-covers-startup -- "$@"
