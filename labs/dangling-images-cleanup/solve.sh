# Solve, task by task (solve_tasks in labs/_lib/setup.sh runs one part, or all in order):
# remove only what RETENTION.md lets go, in one prune. Without -a, prune takes only
# dangling images, and never one that a container (running or stopped) uses; the label
# filter keeps it to beacon's images; until=24h spares the last 24 hours.
# - old-builds-removed: that prune is the whole fix;
# - releases-and-smoke-tests-kept, recent-and-tally-kept: nothing of their own. They ask
#   that the prune removed nothing more, so their parts only say so.
set -euo pipefail

solve_old_builds_removed() {
  docker images --filter dangling=true --filter label=project=beacon --filter until=24h
  docker image prune --force --filter label=project=beacon --filter until=24h
}

solve_releases_and_smoke_tests_kept() {
  echo 'Nothing to run: the prune with both filters (task 1) kept the tagged images and the smoke-test containers with their images.'
}

solve_recent_and_tally_kept() {
  echo "Nothing to run: the prune with both filters (task 1) kept today's builds, tally's images, volume and network, and the build cache."
}

solve_tasks old-builds-removed releases-and-smoke-tests-kept recent-and-tally-kept -- "$@"
