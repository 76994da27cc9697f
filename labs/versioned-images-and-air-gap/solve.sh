# Solve, task by task (solve_tasks in labs/_lib/setup.sh runs one part, or all in order):
# - old-versions-removed: keep the newest version of each repository (sorted as version
#   numbers), remove the others without --force, so that Docker itself refuses to remove
#   the one that a running container uses;
# - running-containers-untouched: nothing of its own. The first part leaves running
#   containers alone (no --force); the check passes once old versions were removed;
# - archive-ready: save the newest images by name;
# - booth-has-images: load them at the booth.
set -euo pipefail

solve_old_versions_removed() {
  local repo newest tag
  for repo in tollgate-api tollgate-worker; do
    # Version tags only: a further tag such as latest is no version of its own.
    newest=$(docker images "$repo" --format '{{.Tag}}' | grep -E '^[0-9]+(\.[0-9]+)*$' | sort -V | tail -n 1)
    for tag in $(docker images "$repo" --format '{{.Tag}}' | grep -E '^[0-9]+(\.[0-9]+)*$'); do
      [ "$tag" != "$newest" ] || continue
      docker rmi "$repo:$tag" || echo "kept $repo:$tag: a container uses it"
    done
  done
}

solve_running_containers_untouched() { :; }

solve_archive_ready() {
  mkdir -p usb
  docker save -o usb/tollgate-booth.tar tollgate-api:1.4 tollgate-worker:2.10
}

solve_booth_has_images() {
  docker --context booth load -i usb/tollgate-booth.tar
}

solve_tasks old-versions-removed running-containers-untouched archive-ready booth-has-images -- "$@"
