# Solve, task by task (solve_tasks in labs/_lib/setup.sh runs one part, or all in order):
# - deploy-uses-v2: deploy.sh calls Compose v2 (`docker compose`) instead of v1;
# - deploy-requires-v2: a version check up front, before deploy.sh changes anything;
# - board-live-on-v2: deploy 2.4 with it. Compose v2 replaces the container that the
#   crashed v1 run stopped and renamed.
# Each part edits deploy.sh where it is needed, so a learner's own version of the
# earlier parts is kept.
set -euo pipefail

solve_deploy_uses_v2() {
  sed -i -E 's/(^|[^[:alnum:]_-])docker-compose([[:space:]]|$)/\1docker compose\2/g' deploy.sh
}

solve_deploy_requires_v2() {
  grep -q "deploy.sh: Docker Compose v2 is required" deploy.sh && return 0
  local guard at
  guard=$(cat <<'SH'

# Compose v2 (the `docker compose` plugin) is required. Legacy docker-compose v1
# crashes on current engines (KeyError: 'ContainerConfig'), so never fall back to it.
if ! docker compose version >/dev/null 2>&1; then
  echo "deploy.sh: Docker Compose v2 is required, but 'docker compose' is not available." >&2
  echo "deploy.sh: install the Docker Compose v2 plugin on this server, then deploy again." >&2
  exit 1
fi
SH
)
  # First thing after the shell options (or the #! line), before anything changes.
  at=$(grep -n -m 1 '^set -' deploy.sh | cut -d: -f1 || true)
  at=${at:-1}
  { head -n "$at" deploy.sh; printf '%s\n' "$guard"; tail -n +"$((at + 1))" deploy.sh; } > /tmp/deploy.sh.new
  cat /tmp/deploy.sh.new > deploy.sh   # keeps deploy.sh's mode (executable)
  rm -f /tmp/deploy.sh.new
}

solve_board_live_on_v2() {
  ./deploy.sh
  local cid
  cid=$(service_container ferryboard board)
  live() { docker exec "$cid" wget -qO- -T 1 http://127.0.0.1:8080/cgi-bin/version 2>/dev/null | grep -qx "ferryboard $(cat RELEASE)"; }
  wait_until 15 live || { echo "solve: ferryboard did not come up" >&2; docker logs --tail 5 "$cid" >&2; exit 1; }
}

solve_tasks deploy-uses-v2 deploy-requires-v2 board-live-on-v2 -- "$@"
