# multi-stage-build: helpers the checks share.

LIMIT=10000000   # the kiosks' limit: 10 MB as `docker images` counts (bytes)

# mb BYTES: "2.0 MB", as docker images and deploy.sh show sizes.
mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1000000 }'; }

# qb_deployed: sets $image (ID) and $what (how to name it) for the image the kiosks get:
# the one the board container runs, or quayboard:2.0 before the first deploy; and $stale,
# a note if quayboard:2.0 was rebuilt since the container was created. Fails the check if
# there is neither.
qb_deployed() {
  local cid tag_id
  stale=''
  cid=$(service_container quayboard board)
  if [ -n "$cid" ]; then
    image=$(docker inspect -f '{{.Image}}' "$cid"); what="The image the board container runs"
    tag_id=$(docker image inspect -f '{{.Id}}' quayboard:2.0 2>/dev/null)
    [ -z "$tag_id" ] || [ "$tag_id" = "$image" ] \
      || stale="Note: quayboard:2.0 was rebuilt since the board container was created ($(mb "$(docker image inspect -f '{{.Size}}' quayboard:2.0)")); the container still runs the old image. Deploy it with ./deploy.sh."
  else
    image=$(docker image inspect -f '{{.Id}}' quayboard:2.0 2>/dev/null)
    what="quayboard:2.0 (built, but not deployed: there is no board container)"
  fi
  [ -n "$image" ] || fail "There is no quayboard:2.0 image and no board container yet." "Build and deploy with: ./deploy.sh"
}

# qb_next_build: builds the repository the way ./deploy.sh's `docker compose build` does
# (compose.yaml's build context, dockerfile, target and args for the board service), on a
# copy with one more departure in pages/departures.skald: the next release. Sets $next (the
# image ID, tagged $next_tag, removed on exit) and $marker (the new departure's
# destination). Nothing of the learner's is touched. On a failed build, sets $next_error.
qb_next_build() {
  local config context dockerfile target page
  local -a args=()
  next='' next_error='' marker="Check Rock $(seed_hex next-release 6)"
  next_tag="drydock-check/quayboard:next-$$"
  config=$(docker compose config --format json 2>/dev/null) || config='{}'
  context=$(jq -r '.services.board.build.context // empty' <<< "$config")
  dockerfile=$(jq -r '.services.board.build.dockerfile // empty' <<< "$config")
  target=$(jq -r '.services.board.build.target // empty' <<< "$config")
  while IFS= read -r arg; do [ -n "$arg" ] && args+=(--build-arg "$arg"); done \
    < <(jq -r '.services.board.build.args // {} | to_entries[] | "\(.key)=\(.value)"' <<< "$config")
  [ -n "$context" ] || context=$PWD
  [ -n "$dockerfile" ] || dockerfile=Dockerfile
  case "$dockerfile" in /*) ;; *) dockerfile="$context/$dockerfile" ;; esac
  next_work=$(mktemp -d /tmp/quayboard-next.XXXXXX)
  trap 'rm -rf "$next_work"; docker rmi "$next_tag" >/dev/null 2>&1' EXIT
  cp -a "$context/." "$next_work/"
  case "$dockerfile" in "$context"/*) dockerfile="$next_work/${dockerfile#"$context"/}" ;; esac
  while IFS= read -r page; do
    printf '| 23:59 | %s | Berth 9 | On time\n' "$marker" >> "$page"
  done < <(find "$next_work" -name departures.skald -type f)
  # A label of this run's own makes the image's ID unique: checks running at once would
  # otherwise build the same ID, and one's `docker rmi` of its tag could delete the image
  # while another is tagging it (seen in CI as "No such image" right after a build).
  if ! next_error=$(docker build -q --label drydock.probe=1 --label "drydock.check.run=$$-$RANDOM$RANDOM" -t "$next_tag" -f "$dockerfile" \
        ${target:+--target "$target"} "${args[@]}" "$next_work" 2>&1); then
    next_error=$(grep -v '^[[:space:]]*$' <<< "$next_error" | tail -n 1)
    [ -n "$next_error" ] || next_error="the build failed"
    return 1
  fi
  next=$(docker image inspect -f '{{.Id}}' "$next_tag")
  next_error=''
}

# sdk_in_image IMAGE: prints what of the Skald SDK the image carries, in any of its
# layers (a file deleted by a later step is still shipped): the SDK image's layer if it
# was built on skald/sdk, else up to 3 SDK files it contains. Prints nothing if none.
sdk_in_image() {
  local sdk_layers base_layers layer files probe examples count
  sdk_layers=$(docker image inspect -f '{{range .RootFS.Layers}}{{println .}}{{end}}' skald/sdk:4.2 2>/dev/null)
  base_layers=$(docker image inspect -f '{{range .RootFS.Layers}}{{println .}}{{end}}' drydock/lab-base:latest 2>/dev/null)
  for layer in $(docker image inspect -f '{{range .RootFS.Layers}}{{println .}}{{end}}' "$1"); do
    if grep -qxF "$layer" <<< "$sdk_layers" && ! grep -qxF "$layer" <<< "$base_layers"; then
      echo "the layer of skald/sdk:4.2 that holds /opt/skald, inherited through FROM skald/sdk:4.2 (a later step that deletes those files only hides them)"
      return 0
    fi
  done
  # Files copied in: every file the image's file system shows.
  probe=$(docker create --network none --label drydock.probe=1 "$1" 2>/dev/null) || return 0
  files=$(docker export "$probe" | tar -t 2>/dev/null | sed 's|^\./||' | grep -v '/$' \
    | grep -E '^opt/skald/.|(^|/)(skaldc|skald-cc1|libskald[^/]*\.a|libutf\.a|skald-manual\.pdf|skald\.h)$')
  docker rm -v "$probe" >/dev/null 2>&1
  [ -n "$files" ] || return 0
  examples=$(grep -E '(skaldc|skald-cc1|libskald\.a)$' <<< "$files" | head -n 3 | sed 's|^|/|' | paste -sd ',' | sed 's/,/, /g')
  count=$(grep -c . <<< "$files")
  echo "$count $([ "$count" = 1 ] && echo file || echo files) of the SDK: ${examples:-/$(head -n 1 <<< "$files")}$([ "$count" -gt 3 ] && echo ', ...')"
}
