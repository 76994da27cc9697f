# Shared by this lab's checks.

# prune_ran KIND: the time (HH:MM:SS) of the last `KIND prune` the engine recorded
# (container, network, volume, image, builder), or nothing. The engine logs a prune
# event even when the prune removed nothing: a prune that spared something only because
# this sandbox's objects are minutes old (on the runner they are days old) still shows.
prune_ran() {
  docker events --since 0 --until "$(date +%s.%N)" --filter "type=$1" --filter event=prune \
    --format '{{.Time}}' 2>/dev/null | tail -n 1 | xargs -r -I{} date -d @{} +%H:%M:%S
}
