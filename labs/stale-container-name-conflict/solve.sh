# Solve, task by task (solve_tasks in labs/_lib/setup.sh runs one part, or all in order):
# - api-deployed-under-its-name: remove exactly the container that holds the name (the
#   hand-started 2.0 API: no Compose container number, image berthboard-api:2.0), then
#   deploy 2.1;
# - orphans-removed: let Compose remove its own orphans (sync and cache, dropped in 2.1);
# - only-leftovers-removed: remove the hand-started API if it is still there under
#   another name (a learner may have renamed it out of the way); after the first part,
#   nothing. Nothing else on the engine is touched.
set -euo pipefail

solve_api_deployed_under_its_name() {
  local holder
  holder=$(docker inspect -f '{{.Id}}' berthboard-api 2>/dev/null || true)
  if [ -n "$holder" ] && [ -z "$(docker inspect -f '{{index .Config.Labels "com.docker.compose.container-number"}}' "$holder")" ]; then
    docker rm -f "$holder" >/dev/null
  fi
  docker compose up -d --build 2>&1 | grep -v '^#' | tail -n 4
}

solve_orphans_removed() {
  docker compose up -d --remove-orphans 2>&1 | grep -v '^#' | tail -n 4
}

solve_only_leftovers_removed() {
  # The incident's label marks the hand-started container, whatever it is named now.
  local stale=()
  mapfile -t stale < <(docker ps -aq --filter "label=ops.incident=INC-$(seed_hex incident 6)")
  [ "${#stale[@]}" -eq 0 ] || docker rm -f "${stale[@]}" >/dev/null
}

solve_tasks api-deployed-under-its-name orphans-removed only-leftovers-removed -- "$@"
