# Task: the cleanup kept the tagged images (beacon:1.3 = build 43, beacon:latest with
# its running preview, the base image drydock/lab-base) and the failed smoke-test
# containers with their images. Fails after setup only because nothing has been
# cleaned up yet.
removable=(41 44 45 47 48)   # untagged, older than 24 h, used by no container
image_of_build() { docker images -q --no-trunc --filter "label=project=$1" --filter "label=ci.build=$2" | head -n 1; }

problems=()
release=$(docker image inspect -f '{{index .Config.Labels "ci.build"}} {{index .Config.Labels "org.opencontainers.image.revision"}}' beacon:1.3 2>/dev/null)
if [ -z "$release" ]; then
  problems+=("beacon:1.3, the release the team rolls back to, is gone (a tagged image that no container uses is removed by prune -a and system prune -a).")
elif [ "$release" != "43 $(seed_hex commit-43 7)" ]; then
  problems+=("beacon:1.3 no longer points to the release build (build 43) but to build ${release%% *}.")
fi
docker image inspect beacon:latest >/dev/null 2>&1 || problems+=("beacon:latest is gone.")
docker image inspect drydock/lab-base:latest >/dev/null 2>&1 \
  || problems+=("drydock/lab-base:latest, the base image of every build, is gone, and this runner has no registry to pull it from again.")
container_is_up beacon-preview || problems+=("The preview container beacon-preview is $(describe_state beacon-preview); expected running.")
for build in 42 46; do
  c=beacon-smoke-$build
  if [ -z "$(container_state "$c")" ]; then
    problems+=("The container $c (build $build's failed smoke test, kept for QA) is gone.")
  else
    image=$(docker inspect -f '{{.Image}}' "$c")
    docker image inspect "$image" >/dev/null 2>&1 \
      || problems+=("The container $c is still there, but its image (build $build, ${image:7:12}) was force-deleted from under it.")
  fi
done

# A container prune that found the smoke tests too young (or not matching) here would
# take them on the runner, where they are days old: stopped containers are not this
# cleanup's business at all.
when=$(prune_ran container)
if [ -n "$when" ] && [ "${#problems[@]}" -eq 0 ]; then
  problems+=("A container prune ran at $when (docker container prune, or docker system prune). The smoke-test containers survived it only because setup created them minutes ago: on the runner they are days old, and a prune whose age or label filters match them removes them.")
  problems+=("Stopped containers are not this cleanup's to remove (RETENTION.md): prune images only.")
fi

if [ "${#problems[@]}" -gt 0 ]; then
  more=''
  case $(( ${#problems[@]} - 2 )) in 1) more='(and 1 more problem)' ;; [2-9]) more="(and $(( ${#problems[@]} - 2 )) more problems)" ;; esac
  fail "${problems[@]:0:2}" ${more:+"$more"} \
    "Deleted images and containers can't be brought back. Start the lab over to try again, and preview what a command will remove first."
fi

still=0
for build in "${removable[@]}"; do [ -z "$(image_of_build beacon "$build")" ] || still=$((still + 1)); done
[ "$still" -lt "${#removable[@]}" ] || fail "Nothing has been cleaned up yet: all ${#removable[@]} old untagged beacon builds that may go are still there." \
  "This task passes once the cleanup is done and kept beacon:1.3, beacon:latest and the smoke-test containers beacon-smoke-42 and -46 with their images."
pass "beacon:1.3, beacon:latest (running in beacon-preview) and both failed smoke-test containers, with their images, are still there."
