# Helpers for setup, solve and wrong-fix scripts (prepended to every lab script,
# like check.sh).

# quietly CMD...: runs a command; shows its output only if it fails.
quietly() {
  local out
  if ! out=$("$@" 2>&1); then printf '%s\n' "$out" >&2; return 1; fi
}

# --- Images with a history -------------------------------------------------------
# Labs about image housekeeping need months of builds (dates, tags, dangling
# layers) that no real build produces in seconds. These helpers write such images
# as a `docker load` archive on top of drydock/lab-base, whose layer the engine
# already has.

# archive_begin NAME: a work folder ($archive_work, removed on exit) holding
# lab-base's image config ($archive_work/base.json), the starting point of every
# image's config.
archive_begin() {
  archive_work=$(mktemp -d "/tmp/$1.XXXXXX")
  trap 'rm -rf "$archive_work"' EXIT
  local base_id
  base_id=$(docker image inspect -f '{{.Id}}' drydock/lab-base:latest)
  docker save drydock/lab-base:latest | tar -xO "blobs/sha256/${base_id#sha256:}" > "$archive_work/base.json"
  [ -s "$archive_work/base.json" ] || { echo "setup: could not read the lab-base config" >&2; exit 1; }
  mkdir -p "$archive_work/archive"
  archive_entries=()
}

# archive_layer DIR MTIME: packs DIR as a layer (files dated MTIME, an epoch);
# prints its diff_id (hex).
archive_layer() {
  local digest
  tar --numeric-owner --owner=0 --group=0 --sort=name --mtime="@$2" -cf "$archive_work/layer.tar" -C "$1" .
  digest=$(sha256sum "$archive_work/layer.tar" | cut -d' ' -f1)
  mv "$archive_work/layer.tar" "$archive_work/archive/$digest.tar"
  echo "$digest"
}

# archive_image TAGS_JSON CONFIG_FILE LAYER_HEX...: adds an image made of lab-base's
# layer and the given layers, with the config the lab wrote to CONFIG_FILE (which
# is moved into the archive).
archive_image() {
  local tags=$1 config=$2 config_hex layers
  shift 2
  config_hex=$(sha256sum "$config" | cut -d' ' -f1)
  mv "$config" "$archive_work/archive/$config_hex.json"
  # The base layer is already in the engine; docker load only reads the layers it lacks.
  layers=$(printf '"%s.tar",' "$@")
  layers="[\"base-layer-already-loaded.tar\",${layers%,}]"
  archive_entries+=("{\"Config\":\"$config_hex.json\",\"RepoTags\":$tags,\"Layers\":$layers}")
}

# archive_load: loads every image added so far into the engine.
archive_load() {
  local manifest
  manifest=$(printf '%s,' "${archive_entries[@]}")
  printf '[%s]\n' "${manifest%,}" > "$archive_work/archive/manifest.json"
  quietly docker load -i <(tar -cf - -C "$archive_work/archive" .)
}

# --- Solve scripts, task by task ---------------------------------------------------
# A solve script applies one task's fix when given its id ($1), assuming the tasks
# before it are done (by the solve or by the learner's own fix), or every task's in
# order when given none ("skip with the solution" runs the first; CI runs both,
# docs/writing-labs.md). Each part is a function solve_<task id, - as _>; the script
# ends with
#   solve_tasks first-task second-task ... -- "$@"
# listing the lab's task ids in order. An id it does not list is refused (exit 2).
solve_tasks() {
  local tasks=() id
  while [ $# -gt 0 ] && [ "$1" != -- ]; do tasks+=("$1"); shift; done
  [ "${1-}" = -- ] && shift
  if [ $# -eq 0 ]; then
    for id in "${tasks[@]}"; do "solve_${id//-/_}"; done
    return 0
  fi
  for id in "${tasks[@]}"; do
    if [ "$id" = "$1" ]; then "solve_${id//-/_}"; return 0; fi
  done
  echo "solve: this lab has no task \"$1\"; its tasks are: ${tasks[*]}" >&2
  return 2
}
