# Task: the image that the web service runs has no trace of the package server token (its
# history, its config and every layer are searched for it, in clear and base64), and it
# still ships manifest-tools: the running app renders a waybill with it.

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

# The container itself must not be handed the token either (environment, labels, command).
cfg_hits=$(docker inspect -f '{{json .Config}}' "$cid" | jq -r --rawfile p <(token_patterns) '
  ($p | split("\n") | map(select(length > 0))) as $pats
  | paths(type == "string") as $path | select(getpath($path) as $v | any($pats[]; . as $t | $v | contains($t)))
  | $path | map(if type == "number" then "[\(.)]" else ".\(.)" end) | join("")' 2>/dev/null | head -n 3 | paste -sd, -)
[ -z "$cfg_hits" ] || fail "The image is clean, but the web container is handed the token when it starts: its configuration holds it ($cfg_hits)." \
  "waybill doesn't need the token to run, and every process in the container (and anyone who can docker inspect it) can read it. Expected: the token only in the build, as a secret."

waybill=''
prints() { waybill=$(docker exec "$cid" wget -qO- -T 1 'http://127.0.0.1:8080/cgi-bin/waybill?ref=KC-20417' 2>/dev/null); [ -n "$waybill" ]; }
retry_while_up 3 "$cid" prints || fail "The image is clean, but the web container is $(describe_state "$cid") and does not answer on port 8080." \
  "Its last log line: $(last_log_line "$cid")"
grep -qF "manifest-tools 1.3 (build $build_id)" <<< "$waybill" \
  || fail "The image is clean, but it can't print waybills: manifest-tools from the package server is missing." \
    "The app says: $(head -n 1 <<< "$waybill")" "Expected: the build still downloads manifest-tools 1.3, with the token given to that one step as a secret."

pass "The image waybill runs ($image_ref) has no trace of the token, and prints waybills with manifest-tools 1.3."
