# Task: the booth's engine (a second dockerd, reached through its socket, the context
# `booth`) has tollgate-api:1.4 and tollgate-worker:2.10 under those tags, as the
# released images (their labels, see lib.sh) and, where this server still has that
# release, with the same image ID (the config digest survives save and load).
BOOTH=unix:///srv/booth/docker.sock
booth() { docker -H "$BOOTH" "$@"; }
refs=(tollgate-api:1.4 tollgate-worker:2.10)

booth version >/dev/null 2>&1 || fail "The booth's engine does not answer (docker --context booth version)." \
  "setup started it; if it was stopped, start the lab over to get it back."

compared=()
for ref in "${refs[@]}"; do
  repo=${ref%%:*} version=${ref#*:}
  # This server's copy of the release, whatever its tags are now.
  here=$(docker images -q --no-trunc --filter "label=org.opencontainers.image.revision=$(release_revision "$ref")" | head -n 1)
  there=$(booth image inspect -f '{{.Id}}' "$ref" 2>/dev/null)
  if [ -z "$there" ]; then
    untagged=$(booth images -q --no-trunc --filter "label=org.opencontainers.image.revision=$(release_revision "$ref")" | head -n 1)
    if [ -n "$untagged" ]; then
      tags=$(booth image inspect -f '{{join .RepoTags ", "}}' "$untagged")
      how="without a tag (it shows up there as <none>)"
      [ -n "$tags" ] && how="only as $tags"
      fail "The booth has the image of $ref, but $how: nothing at the booth can run $ref." \
        "Save it by its version tag (docker save ... $ref) and load that archive at the booth."
    fi
    fail "The booth's engine has no $ref yet ($(booth images -q | grep -c .) images there)." \
      "Load the archive there: docker --context booth load -i usb/tollgate-booth.tar"
  fi
  is=$(image_release "$repo" "$there" -H "$BOOTH")
  if [ "$is" != "$repo $version" ]; then
    what="an image that is no tollgate release (rebuilt, imported or committed: it lacks the release labels)"
    [ -n "$is" ] && what="the image of $is"
    fail "The booth's $ref is $what, not the released $ref." \
      "docker save and docker load carry the very image; docker export/import, a rebuild or a re-tag don't."
  fi
  [ -z "$here" ] || [ "$there" = "$here" ] || fail "The booth's $ref is image ${there:7:12}, but this server's release $ref is ${here:7:12}: not the same image." \
    "docker save and docker load keep an image's ID; docker export/import, docker commit and rebuilding make a new image."
  [ -n "$here" ] && compared+=("$ref")
done
same=''
[ "${#compared[@]}" -gt 0 ] && same=" ($(printf '%s, ' "${compared[@]}" | sed 's/, $//'): the same image ID as on this server)"
pass "The booth's engine has the released ${refs[0]} and ${refs[1]} under those tags$same."
