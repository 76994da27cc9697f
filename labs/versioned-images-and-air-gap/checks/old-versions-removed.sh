# Task: each tollgate repository keeps its newest version (by version number, so 2.10 is
# newer than 2.9) as the released image (its revision label, see lib.sh: a re-tagged
# older image or a rebuild doesn't count), plus any image a running container uses. A
# further tag on a kept image (e.g. latest) is not an old version; every other tag is.
declare -A newest=([tollgate-api]=1.4 [tollgate-worker]=2.10)

# Images that running containers use (by ID: the tag they were started from may be gone).
in_use=$(docker ps -q | xargs -r docker inspect -f '{{.Image}}' | sort -u)

problems=() extra=()
for repo in tollgate-api tollgate-worker; do
  ref="$repo:${newest[$repo]}"
  keep=$(docker image inspect -f '{{.Id}}' "$ref" 2>/dev/null)
  if [ -z "$keep" ]; then
    # Is the release still here under another name?
    other=$(docker images --no-trunc --format '{{.ID}}' --filter "label=org.opencontainers.image.revision=$(release_revision "$ref")" | head -n 1)
    also=''
    [ -n "$other" ] && also=" Its image is still here ($(docker images --format '{{.Repository}}:{{.Tag}}' --filter "label=org.opencontainers.image.revision=$(release_revision "$ref")" | paste -sd, | sed 's/,/, /g')), but not under its version tag."
    problems+=("$ref, the newest version, is gone. Versions compare as numbers: 2.10 is newer than 2.9 (sort -V), though plain sort puts 2.9 last.$also If you saved it to a tar first, docker load -i brings it back; otherwise start the lab over.")
  else
    is=$(image_release "$repo" "$keep")
    if [ "$is" != "$repo ${newest[$repo]}" ]; then
      what="an image that is no tollgate release (rebuilt or imported: it lacks the release labels)"
      [ -n "$is" ] && what="the image of $is"
      real=$(docker images -q --filter "label=org.opencontainers.image.revision=$(release_revision "$ref")" | head -n 1)
      back=''
      [ -n "$real" ] && back=" The released $ref is still here as image $real: docker tag $real $ref puts the tag back."
      problems+=("$ref names $what, not the released $ref. A tag is only a name: moving it onto another image doesn't make that image the new version.$back")
    fi
  fi
  while IFS='|' read -r tag id; do
    [ -n "$tag" ] && [ "$tag" != '<none>' ] || continue
    [ "$tag" = "${newest[$repo]}" ] && continue
    [ -n "$keep" ] && [ "$id" = "$keep" ] && continue
    grep -qxF "$id" <<< "$in_use" && continue
    extra+=("$repo:$tag")
  done < <(docker images "$repo" --no-trunc --format '{{.Tag}}|{{.ID}}' | sort -t'|' -k1,1V)
done

[ "${#problems[@]}" -eq 0 ] || fail "${problems[@]}"
if [ "${#extra[@]}" -gt 0 ]; then
  list=$(printf '%s, ' "${extra[@]}"); list=${list%, }
  fail "${#extra[@]} older versions are still there, and no running container uses them: $list." \
    "Expected: only tollgate-api:1.4, tollgate-worker:2.10, and the images that running containers use."
fi
pass "The released tollgate-api:1.4 and tollgate-worker:2.10 are here, and no tag is left on an older image that no running container uses."
