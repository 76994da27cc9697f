# Task: the cleanup kept the untagged beacon builds of the last 24 hours (49 and 50)
# and every image of the tally team. Fails after setup only because nothing has been
# cleaned up yet.
removable=(41 44 45 47 48)   # untagged, older than 24 h, used by no container
image_of_build() { docker images -q --no-trunc --filter "label=project=$1" --filter "label=ci.build=$2" | head -n 1; }

problems=()
gone=()
for build in 49 50; do [ -n "$(image_of_build beacon "$build")" ] || gone+=("$build"); done
case "${#gone[@]}" in
  1) problems+=("Build ${gone[0]} of beacon is gone: it is from the last 24 hours, which RETENTION.md keeps for rollbacks (prune's until filter spares recent images).") ;;
  2) problems+=("Builds 49 and 50 of beacon are gone: they are from the last 24 hours, which RETENTION.md keeps for rollbacks (prune's until filter spares recent images).") ;;
esac
tally=0
for build in 116 117 118; do [ -z "$(image_of_build tally "$build")" ] || tally=$((tally + 1)); done
[ "$tally" -eq 3 ] || problems+=("$(( 3 - tally )) of the tally team's 3 images are gone: they are not beacon's to remove (a label filter limits a prune to images labelled project=beacon).")

[ "${#problems[@]}" -eq 0 ] || fail "${problems[@]}" \
  "Deleted images can't be brought back. Start the lab over to try again, and preview what a command will remove first."

still=0
for build in "${removable[@]}"; do [ -z "$(image_of_build beacon "$build")" ] || still=$((still + 1)); done
[ "$still" -lt "${#removable[@]}" ] || fail "Nothing has been cleaned up yet: all ${#removable[@]} old untagged beacon builds are still there." \
  "This task passes once the cleanup is done and kept beacon's builds of the last 24 hours and all of tally's images."
pass "beacon's untagged builds of the last 24 hours (49 and 50) and all 3 tally images are still there."
