# Task: the two running API containers are the ones setup started (never recreated or
# restarted), still running, and the tag each was started from still names its image,
# so either can be recreated. Fails after setup only because nothing was removed yet.
declare -A version=([tollgate-api]=1.4 [tollgate-api-legacy]=1.2)
declare -A deployment_of=([tollgate-api]=deploy-api [tollgate-api-legacy]=deploy-legacy)
problems=()
for c in tollgate-api tollgate-api-legacy; do
  IFS='|' read -r deployment created started image ref < <(docker inspect -f \
    '{{index .Config.Labels "tollgate.deployment"}}|{{.Created}}|{{.State.StartedAt}}|{{.Image}}|{{.Config.Image}}' "$c" 2>/dev/null)
  if [ -z "$image" ]; then
    problems+=("The container $c (tollgate-api ${version[$c]}) is gone; it must keep running.")
    continue
  fi
  if [ "$deployment" != "$(seed_hex "${deployment_of[$c]}")" ]; then
    problems+=("The container $c was recreated: it is not the one that was running before.")
  elif ! container_is_up "$c"; then
    problems+=("The container $c is $(describe_state "$c"); expected it running, untouched.")
  elif [ $(( $(date -d "$started" +%s) - $(date -d "$created" +%s) )) -gt 30 ]; then
    problems+=("The container $c was restarted (at $started); leave running containers alone.")
  fi
  tagged=$(docker image inspect -f '{{.Id}}' "$ref" 2>/dev/null)
  if [ "$tagged" != "$image" ]; then
    if [ -z "$tagged" ]; then what="no image has that tag any more"; else what="that tag now names another image (${tagged:7:12})"; fi
    problems+=("$c still runs image ${image:7:12}, but it was started from $ref and $what, so it can't be recreated from $ref. Put the tag back: docker tag ${image:7:12} $ref")
  fi
done

if [ "${#problems[@]}" -gt 0 ]; then
  fail "${problems[@]:0:3}"
fi

old=0
for ref in tollgate-api:1.0 tollgate-api:1.1 tollgate-api:1.3 tollgate-worker:2.8 tollgate-worker:2.9; do
  docker image inspect "$ref" >/dev/null 2>&1 && old=$((old + 1))
done
[ "$old" -lt 5 ] || fail "Nothing has been removed yet: all 5 unused older versions are still there." \
  "This task passes once they are gone and tollgate-api (1.4) and tollgate-api-legacy (1.2) still run untouched, each with its tag."
pass "tollgate-api (1.4) and tollgate-api-legacy (1.2) are still running, untouched, and their tags still name their images."
