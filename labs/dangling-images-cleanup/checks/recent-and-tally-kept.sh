# Task: the cleanup kept the untagged beacon builds of the last 24 hours (49 and 50),
# every image of the tally team, their volume (with its data) and network, and the
# runner's build cache, and ran no network, volume or build-cache prune. Fails after setup only because nothing has been
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

# The tally team's volume (with its data) and network, and the runner's build cache.
seed=$(seed_hex stockdb 12)
if [ -z "$(docker volume ls -q --filter name='^tally_stockdb$')" ]; then
  problems+=("The tally team's volume tally_stockdb (their stock database) is gone: an unused volume is still someone's data (volume prune -a removes it).")
elif ! run_container --network none -v tally_stockdb:/data:ro drydock/lab-base:latest grep -q "stocktake $seed" /data/stock.db 2>/dev/null; then
  problems+=("The tally team's volume tally_stockdb no longer holds their stock database (stock.db).")
fi
[ -n "$(docker network ls -q --filter name='^tally_default$')" ] \
  || problems+=("The tally team's network tally_default is gone (network prune removes every network no container uses).")
cache=$(docker system df --format '{{.Type}}|{{.TotalCount}}' 2>/dev/null | awk -F'|' '$1 == "Build Cache" { print $2 }')
[ "${cache:-0}" -gt 0 ] || problems+=("The runner's build cache is empty: the next CI build runs every step again (builder prune and system prune clear it).")
# A prune leaves an event even when it removed nothing: here everything was created
# minutes ago, so an age filter (until=) spares what it would take on the runner.
when=$(prune_ran network)
[ -z "$when" ] || problems+=("A network prune ran at $when (docker network prune, or docker system prune): networks are not this cleanup's to remove (RETENTION.md). Every network no container uses goes, tally's too; an until= filter spared it here only because setup created it minutes ago.")
when=$(prune_ran volume)
[ -z "$when" ] || problems+=("A volume prune ran at $when (docker volume prune, or docker system prune --volumes): volumes are data, and not this cleanup's to remove (RETENTION.md).")
when=$(prune_ran builder)
[ -z "$when" ] || problems+=("A build-cache prune ran at $when (docker system prune): the build cache is not this cleanup's to remove (RETENTION.md); the runner's cache is days old, and an until= filter spares it only here.")

[ "${#problems[@]}" -eq 0 ] || fail "${problems[@]:0:2}" \
  "What a prune deleted can't be brought back. Start the lab over to try again, and prune images only, after previewing what the command will remove."

still=0
for build in "${removable[@]}"; do [ -z "$(image_of_build beacon "$build")" ] || still=$((still + 1)); done
[ "$still" -lt "${#removable[@]}" ] || fail "Nothing has been cleaned up yet: all ${#removable[@]} old untagged beacon builds that may go are still there." \
  "This task passes once the cleanup is done and kept beacon's builds of the last 24 hours and all of tally's images."
pass "beacon's untagged builds of the last 24 hours (49 and 50), all 3 tally images, tally's volume (with its data) and network, and the build cache are still there."
