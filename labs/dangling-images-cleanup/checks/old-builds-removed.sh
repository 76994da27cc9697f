# Task: no old untagged beacon build is left that no container uses. Judged from the
# engine: every image labelled project=beacon (tagged or not, so a build that was only
# given a new tag still counts), its creation time, and the image of every container,
# running or stopped. What stays: beacon:1.3 and beacon:latest, images that containers
# use, and builds of the last 24 hours.
now=$(date +%s)
used=$(docker ps -aq --no-trunc | xargs -r docker inspect -f '{{.Image}}' | sort -u)

left=()
renamed=()
while IFS='|' read -r id created build tags; do
  [ -n "$id" ] || continue
  tags=${tags% }
  case " $tags " in *' beacon:1.3 '*|*' beacon:latest '*) continue ;; esac   # the kept tags
  age=$(( now - $(date -d "$created" +%s) ))
  [ "$age" -ge 86400 ] || continue          # the last 24 hours stay
  grep -qxF "$id" <<< "$used" && continue   # a container (even a stopped one) needs it
  left+=("build ${build:-?} (${id:7:12}, $(( age / 86400 )) days old${tags:+, now tagged ${tags// /, }})")
  [ -z "$tags" ] || renamed+=("$build")
done < <(docker images -q --no-trunc --filter label=project=beacon | sort -u \
           | xargs -r docker image inspect -f '{{.Id}}|{{.Created}}|{{index .Config.Labels "ci.build"}}|{{range .RepoTags}}{{.}} {{end}}' | sort -t '|' -k 3,3n)

[ "${#left[@]}" -eq 0 ] && pass "No beacon build older than 24 hours is left, tagged or not, apart from beacon:1.3, beacon:latest and the builds containers use."

list=$(printf '%s, ' "${left[@]}"); list=${list%, }
if [ "${#renamed[@]}" -gt 0 ]; then
  fail "${#left[@]} old beacon builds that no container uses are still there: $list." \
    "A tag only renames an image: it is still on disk, and no longer even shows as dangling. Expected: those builds removed (RETENTION.md)."
fi
fail "${#left[@]} untagged beacon builds older than 24 hours are still there, and no container uses them: $list." \
  "Expected: none of them (RETENTION.md). See them with: docker images --filter dangling=true --filter label=project=beacon"
