# Task: the image that the web service runs has no trace of the package server token (its
# history, its config and every layer are searched for it, in clear and base64), and it
# still ships manifest-tools: the running app renders a waybill with it.
# --- lab helpers -----------------------------------------------------------------------
# The package server token of this session, and the forms in which it could sit in an
# image: as is, or base64-encoded (alone, or as "ci:TOKEN" in an HTTP Basic header).
TOKEN="pkt_$(seed_hex pkg-token 32)"
token_patterns() {
  printf '%s\n' "$TOKEN"
  printf 'ci:%s' "$TOKEN" | base64 -w0 | tr -d '='; echo
  printf '%s' "$TOKEN" | base64 -w0 | tr -d '='; echo
}
# token_traces IMAGE...: one line "IMAGE-ID<tab>WHERE" for each place in the images that
# holds the token: their history (build steps), their config (env, labels, command, ...)
# and the files in their layers, including files that a later layer deletes. Reads what
# `docker save` exports, so it sees exactly what a registry would receive.
token_traces() {
  local tmp cfg layers id i n layer
  tmp=$(mktemp -d /tmp/drydock-scan.XXXXXX)
  token_patterns > "$tmp/patterns"
  mkdir "$tmp/x"
  docker save "$@" 2>/dev/null | tar -x -C "$tmp/x" 2>/dev/null
  while IFS=$'\t' read -r cfg layers; do
    id=sha256:${cfg##*/}
    jq -r --rawfile p "$tmp/patterns" --arg id "$id" '
        ($p | split("\n") | map(select(length > 0))) as $pats
        | def hit: . as $v | any($pats[]; . as $t | $v | contains($t));
        ( .history // [] | to_entries[] | select(.value.created_by // "" | hit)
          | "\($id)\thistory, step \(.key + 1): \(.value.created_by | gsub("\\s+"; " "))" ),
        ( del(.history, .rootfs) | paths(type == "string") as $path | select(getpath($path) | hit)
          | "\($id)\tconfig: " + ($path | map(if type == "number" then "[\(.)]" else ".\(.)" end) | join("")) )
      ' "$tmp/x/$cfg" 2>/dev/null
    read -r -a list <<< "$layers"
    n=${#list[@]} i=0
    for layer in "${list[@]}"; do
      i=$((i + 1))
      if [ ! -e "$tmp/hits-${layer//\//_}" ]; then
        PATTERNS="$tmp/patterns" tar -x -f "$tmp/x/$layer" \
          --to-command='grep -qaF -f "$PATTERNS" && echo "/${TAR_FILENAME#./}"; true' 2>/dev/null > "$tmp/hits-${layer//\//_}"
      fi
      while IFS= read -r file; do
        printf '%s\tlayer %s of %s: file %s\n' "$id" "$i" "$n" "$file"
      done < "$tmp/hits-${layer//\//_}"
    done
  done < <(jq -r '.[] | [.Config, (.Layers | join(" "))] | @tsv' "$tmp/x/manifest.json" 2>/dev/null)
  rm -rf "$tmp"
}
# redact: replaces the token (in any of its forms) with <token>, and cuts long lines.
redact() {
  local args=() p
  while IFS= read -r p; do args+=(-e "s|$p|<token>|g"); done < <(token_patterns)
  sed "${args[@]}" | cut -c 1-140
}
# image_label IMAGE-ID: its tags, or "an untagged image", with its short ID.
image_label() {
  local tags
  tags=$(docker image inspect -f '{{join .RepoTags ", "}}' "$1" 2>/dev/null)
  printf '%s (%s)' "${tags:-an untagged image}" "$(cut -c 8-19 <<< "$1")"
}
# ---------------------------------------------------------------------------------------

build_id=$(seed_hex manifest-tools-build)
cid=$(service_container waybill web)
[ -n "$cid" ] || fail "There is no container for the web service (Compose project waybill)." \
  "Expected: waybill running from an image built without the token. Start it with: docker compose up -d --build"

image_id=$(docker inspect -f '{{.Image}}' "$cid")
image_ref=$(docker inspect -f '{{.Config.Image}}' "$cid")
stale=''
tag_id=$(docker image inspect -f '{{.Id}}' "$image_ref" 2>/dev/null || true)
if [ -n "$tag_id" ] && [ "$tag_id" != "$image_id" ]; then
  stale="Note: $image_ref was rebuilt after this container was created, and the container still runs the old build. Recreate it: docker compose up -d"
fi

mapfile -t traces < <(token_traces "$image_id" | cut -f 2- | redact)
if [ "${#traces[@]}" -gt 0 ]; then
  fail "The image the web container runs ($image_ref, $(cut -c 8-19 <<< "$image_id")) still holds the package server token, in ${#traces[@]} place(s). First: ${traces[0]}" \
    "Expected: the token nowhere in the image: not in its history, its config, or any layer (a file deleted by a later step is still in the layer that added it)." ${stale:+"$stale"}
fi

waybill=''
prints() { waybill=$(docker exec "$cid" wget -qO- -T 1 'http://127.0.0.1:8080/cgi-bin/waybill?ref=KC-20417' 2>/dev/null); [ -n "$waybill" ]; }
retry_while_up 3 "$cid" prints || fail "The image is clean, but the web container is $(describe_state "$cid") and does not answer on port 8080." \
  "Its last log line: $(last_log_line "$cid")"
grep -qF "manifest-tools 1.3 (build $build_id)" <<< "$waybill" \
  || fail "The image is clean, but it can't print waybills: manifest-tools from the package server is missing." \
    "The app says: $(head -n 1 <<< "$waybill")" "Expected: the build still downloads manifest-tools 1.3, with the token given to that one step as a secret."

pass "The image waybill runs ($image_ref) has no trace of the token, and prints waybills with manifest-tools 1.3."
