# Task: no untagged (dangling) beacon build older than 24 hours is left that no
# container uses. Judged from the engine: image labels, creation times and the image
# of every container, running or stopped.
now=$(date +%s)
used=$(docker ps -aq --no-trunc | xargs -r docker inspect -f '{{.Image}}' | sort -u)

left=()
while IFS='|' read -r id created build; do
  [ -n "$id" ] || continue
  age=$(( now - $(date -d "$created" +%s) ))
  [ "$age" -ge 86400 ] || continue          # the last 24 hours stay
  grep -qxF "$id" <<< "$used" && continue   # a container (even a stopped one) needs it
  left+=("build ${build:-?} (${id:7:12}, $(( age / 86400 )) days old)")
done < <(docker images -q --no-trunc --filter dangling=true --filter label=project=beacon | sort -u \
           | xargs -r docker image inspect -f '{{.Id}}|{{.Created}}|{{index .Config.Labels "ci.build"}}' | sort -t '|' -k 3,3n)

[ "${#left[@]}" -eq 0 ] && pass "No untagged beacon build older than 24 hours is left unless a container uses it."

list=$(printf '%s, ' "${left[@]}"); list=${list%, }
fail "${#left[@]} untagged beacon builds older than 24 hours are still there, and no container uses them: $list." \
  "Expected: none of them (RETENTION.md). See them with: docker images --filter dangling=true --filter label=project=beacon"
