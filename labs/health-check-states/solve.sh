# Solve, task by task (solve_tasks in labs/_lib/setup.sh runs one part, or all in order):
# - api-reports-healthy and health-detects-maintenance: give the api a health check that
#   asks its /cgi-bin/health endpoint (which answers 503 in maintenance mode). It probes
#   every second while the api starts (start_interval), every 5 s after. The second part
#   puts the same health check in place of any other (one that answers "healthy" even in
#   maintenance), so it does nothing after the first;
# - board-waits-for-api: the board waits until the api is healthy.
set -euo pipefail

# set_service_key SERVICE KEY BLOCK: in compose.yaml, replaces SERVICE's KEY (its line and
# the lines indented under it) with BLOCK, placed right under the service's name.
set_service_key() {
  awk -v svc="  $1:" -v key="    $2:" -v block="$3" '
    /^  [^ #]/ || /^[^ #]/ { inside = ($0 == svc) ; skipping = 0 }
    inside && index($0, key) == 1 { skipping = 1; next }
    skipping && /^      / { next }
    skipping && /^ *$/ { next }
    { skipping = 0; print }
    $0 == svc { print block }
  ' compose.yaml > /tmp/compose.yaml.new
  cat /tmp/compose.yaml.new > compose.yaml
  rm -f /tmp/compose.yaml.new
}

healthy() { [ "$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$(service_container pilotdesk api)")" = healthy ]; }

api_health_check() {
  set_service_key api healthcheck '    healthcheck:
      # busybox wget exits non-zero on an HTTP error status such as 503
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "-T", "2", "http://127.0.0.1:8080/cgi-bin/health"]
      interval: 5s
      timeout: 3s
      retries: 2
      start_period: 15s
      start_interval: 1s'
  docker compose config -q
  docker compose up -d --build api 2>&1 | grep -v '^#' | tail -n 2
  wait_until 30 healthy || { echo "solve: the api did not become healthy" >&2; exit 1; }
}

solve_api_reports_healthy() { api_health_check; }
solve_health_detects_maintenance() { api_health_check; }

solve_board_waits_for_api() {
  set_service_key board depends_on '    depends_on:
      api:
        condition: service_healthy'
  docker compose config -q
  docker compose up -d --build 2>&1 | grep -v '^#' | tail -n 4
}

solve_tasks api-reports-healthy health-detects-maintenance board-waits-for-api -- "$@"
