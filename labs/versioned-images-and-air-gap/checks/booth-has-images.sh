# Task: the booth's engine (a second dockerd, reached through its socket, the context
# `booth`) has tollgate-api:1.4 and tollgate-worker:2.10 under those tags, as the very
# same images as this server (same image IDs: the config digest survives save and load).
BOOTH=unix:///srv/booth/docker.sock
booth() { docker -H "$BOOTH" "$@"; }
refs=(tollgate-api:1.4 tollgate-worker:2.10)

booth version >/dev/null 2>&1 || fail "The booth's engine does not answer (docker --context booth version)." \
  "setup started it; if it was stopped, start the lab over to get it back."

for ref in "${refs[@]}"; do
  here=$(docker image inspect -f '{{.Id}}' "$ref" 2>/dev/null)
  there=$(booth image inspect -f '{{.Id}}' "$ref" 2>/dev/null)
  if [ -z "$there" ]; then
    if [ -n "$here" ] && booth image inspect "$here" >/dev/null 2>&1; then
      fail "The booth has the image of $ref (${here:7:12}), but without its tag: it shows up there as <none>." \
        "That happens when an image is saved by ID. Save it by name:tag and load that archive at the booth."
    fi
    fail "The booth's engine has no $ref yet ($(booth images --format '{{.Repository}}:{{.Tag}}' | grep -c . ) images there)." \
      "Load the archive there: docker --context booth load -i usb/tollgate-booth.tar"
  fi
  [ -n "$here" ] || fail "The booth has $ref, but this server no longer has it to compare with."
  [ "$there" = "$here" ] || fail "The booth's $ref is image ${there:7:12}, but this server's is ${here:7:12}: not the same image." \
    "docker save and docker load keep an image's ID; docker export/import and rebuilding make a new image."
done
pass "The booth's engine has ${refs[0]} and ${refs[1]}: the same images as this server (same IDs)."
