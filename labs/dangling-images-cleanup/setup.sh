# Setup: ten days of CI history on a shared runner. Every push to main rebuilt
# beacon:latest, so each earlier build lost its tag and became a dangling <none>
# image. Two builds failed their smoke test and kept their (stopped) containers,
# build 43 was tagged as release 1.3, and the tally team's images share the engine, with
# their (currently unused) volume and network. The build cache is the runner's too.
#
# Rebuilding eleven times would keep the learner waiting, so the history is written
# as a `docker load` archive instead: the same layers, labels and history that
# build.sh produces, with creation times spread over the past ten days. Loading
# images that all carry the tag beacon:latest moves the tag exactly as rebuilding does.
set -euo pipefail

archive_begin ci-history   # labs/_lib/setup.sh
# shellcheck disable=SC2154 # set by archive_begin, in labs/_lib/setup.sh
work=$archive_work
now=$(date +%s)

# add_image CREATED_EPOCH TAGS_JSON LABELS_JSON CMD_JSON HISTORY_JSON LAYER_HEX...:
# a build as build.sh makes it (same labels and history), dated CREATED_EPOCH.
add_image() {
  local created=$1 tags=$2 labels=$3 cmd=$4 history=$5; shift 5
  local iso diffs
  iso=$(date -u -d "@$created" +%Y-%m-%dT%H:%M:%S.%3NZ)
  diffs=$(printf '"sha256:%s",' "$@"); diffs="[${diffs%,}]"
  jq -c --arg created "$iso" --argjson labels "$labels" --argjson cmd "$cmd" \
        --argjson diffs "$diffs" --argjson history "$history" '
      .created = $created
    | .config.Labels = $labels | .config.Cmd = $cmd
    | .config.ExposedPorts = {"8080/tcp": {}}
    | .rootfs.diff_ids += $diffs
    | .history += [$history[] | .created = $created | .comment = "buildkit.dockerfile.v0"]' \
    "$work/base.json" > "$work/config.json"
  archive_image "$tags" "$work/config.json" "$@"
}

# --- beacon: builds 41 to 51 ------------------------------------------------------
mkdir -p "$work/smoke/usr/local/bin"
cp smoke-test.sh "$work/smoke/usr/local/bin/smoke-test"
chmod 0755 "$work/smoke/usr/local/bin/smoke-test"
smoke_layer=$(archive_layer "$work/smoke" "$((now - 86400 * 30))")

beacon_history='[
  {"created_by": "LABEL project=beacon", "empty_layer": true},
  {"created_by": "COPY --chmod=0755 smoke-test.sh /usr/local/bin/smoke-test # buildkit"},
  {"created_by": "COPY www/ /srv/www/ # buildkit"},
  {"created_by": "EXPOSE map[8080/tcp:{}]", "empty_layer": true},
  {"created_by": "CMD [\"httpd\" \"-f\" \"-p\" \"8080\" \"-h\" \"/srv/www\"]", "empty_layer": true}]'

# build:age in minutes. 43 became release 1.3; 42 and 46 failed their smoke test.
for spec in 41:13140 42:11580 43:10080 44:8640 45:7200 46:5760 47:4320 48:3000 49:360 50:120 51:25; do
  build=${spec%%:*}; created=$((now - ${spec#*:} * 60))
  www="$work/www-$build/srv/www"
  mkdir -p "$www"
  cp www/index.html "$www/index.html"
  echo "<!-- build $build, commit $(seed_hex "commit-$build" 7) -->" >> "$www/index.html"
  # The keepers' rounds as of that build; 42 and 46 shipped a status the smoke test rejects.
  case $build in 42) odd=unlit ;; 46) odd=flashing ;; *) odd=dimmed ;; esac
  {
    echo '# lighthouse | status | last check'
    for lamp in 'Skerry Point' 'Gannet Rock' 'Hollin Head' 'Mew Stone' 'Carrick Roads'; do
      status=lit; [ "$lamp" = 'Hollin Head' ] && status=$odd
      printf '%-15s | %-6s | %s\n' "$lamp" "$status" "$(date -u -d "@$((created - 1800))" '+%Y-%m-%d %H:%M')"
    done
  } > "$www/lamps.txt"
  www_layer=$(archive_layer "$work/www-$build" "$created")
  tags='["beacon:latest"]'; [ "$build" = 43 ] && tags='["beacon:latest","beacon:1.3"]'
  labels=$(printf '{"project":"beacon","ci.build":"%s","org.opencontainers.image.revision":"%s"}' "$build" "$(seed_hex "commit-$build" 7)")
  add_image "$created" "$tags" "$labels" '["httpd","-f","-p","8080","-h","/srv/www"]' "$beacon_history" "$smoke_layer" "$www_layer"
done

# --- tally (the other team): builds 116 to 118 --------------------------------------
tally_history='[
  {"created_by": "LABEL project=tally", "empty_layer": true},
  {"created_by": "COPY stock.csv /opt/tally/stock.csv # buildkit"},
  {"created_by": "CMD [\"httpd\" \"-f\" \"-p\" \"8080\" \"-h\" \"/opt/tally\"]", "empty_layer": true}]'
for spec in 116:8000 117:5000 118:2800; do
  build=${spec%%:*}; created=$((now - ${spec#*:} * 60))
  mkdir -p "$work/tally-$build/opt/tally"
  printf 'item,count\nlamp mantles,%s\nparaffin (l),%s\nfog signal cartridges,%s\n' \
    $((build - 70)) $((build * 3)) $((build % 40)) > "$work/tally-$build/opt/tally/stock.csv"
  layer=$(archive_layer "$work/tally-$build" "$created")
  labels=$(printf '{"project":"tally","ci.build":"%s"}' "$build")
  add_image "$created" '["tally:latest"]' "$labels" '["httpd","-f","-p","8080","-h","/opt/tally"]' "$tally_history" "$layer"
done

archive_load

# --- containers ----------------------------------------------------------------------
image_of_build() { docker images -q --no-trunc --filter "label=project=$1" --filter "label=ci.build=$2" | head -n 1; }
for build in 42 46; do
  id=$(image_of_build beacon "$build")
  [ -n "$id" ] || { echo "setup: build $build was not loaded" >&2; exit 1; }
  # exits 1: the smoke test rejects that build's lamps.txt
  docker run --name "beacon-smoke-$build" "$id" /usr/local/bin/smoke-test >/dev/null 2>&1 && { echo "setup: smoke test of build $build passed" >&2; exit 1; }
done
quietly docker run -d --init --name beacon-preview -p 8080:8080 beacon:latest

# --- what else a runner holds ----------------------------------------------------------
# The tally team's stack is down between their runs: its database volume and its network
# are unused right now, which is exactly what volume and network prunes take.
quietly docker volume create --label com.docker.compose.project=tally --label com.docker.compose.volume=stockdb tally_stockdb
quietly docker network create --label com.docker.compose.project=tally --label com.docker.compose.network=default tally_default
quietly docker run --rm --network none -v tally_stockdb:/data drydock/lab-base:latest \
  sh -c "printf 'stocktake %s\nlamp mantles,48\nparaffin (l),354\n' '$(seed_hex stockdb 12)' > /data/stock.db"
# The runner's build cache (every CI build reuses it): one build of beacon's Dockerfile,
# exported to nowhere, so no image and no tag move.
quietly docker build -o type=tar,dest=/dev/null .

# Sanity: 9 dangling beacon builds, 2 dangling tally builds, the tags in place.
[ "$(docker images -q --filter dangling=true --filter label=project=beacon | sort -u | wc -l)" -eq 9 ] \
  || { echo "setup: expected 9 dangling beacon images" >&2; docker images >&2; exit 1; }
[ "$(docker images -q --filter dangling=true --filter label=project=tally | sort -u | wc -l)" -eq 2 ] \
  || { echo "setup: expected 2 dangling tally images" >&2; docker images >&2; exit 1; }
[ "$(docker image inspect -f '{{index .Config.Labels "ci.build"}}' beacon:1.3)" = 43 ] \
  || { echo "setup: beacon:1.3 is not build 43" >&2; exit 1; }
[ "$(docker system df --format '{{.Type}}|{{.TotalCount}}' | awk -F'|' '$1 == "Build Cache" { print $2 }')" -gt 0 ] \
  || { echo "setup: the build left no build cache" >&2; docker system df >&2; exit 1; }
wait_until 5 container_is_up beacon-preview || { echo "setup: beacon-preview did not start" >&2; exit 1; }
