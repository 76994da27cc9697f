# Task: the image that the web service runs ships its settings template at a path that
# none of the service container's mounts cover. The template is found by content (the
# line `berths = ${BERTHS}`), so any file name or folder the learner picks is accepted.
cid=$(service_container harborlog web)
[ -n "$cid" ] || fail "There is no container for the web service (Compose project harborlog), so there is no image to check." \
  "Create it with: docker compose up -d --build"

image_id=$(docker inspect -f '{{.Image}}' "$cid")
image_ref=$(docker inspect -f '{{.Config.Image}}' "$cid")

stale=''
tag_id=$(docker image inspect -f '{{.Id}}' "$image_ref" 2>/dev/null || true)
if [ -n "$tag_id" ] && [ "$tag_id" != "$image_id" ]; then
  stale="Note: $image_ref was rebuilt after this container was created, and the container still runs the old build. Recreate it with docker compose up -d."
fi

# Look in the image itself (not through the container, whose mounts would hide files):
# export a never-started container of it and scan the files as they stream past.
probe=$(docker create --network none --label drydock.probe=1 "$image_id" 2>&1) || fail "Could not look inside the image $image_ref: $probe"
templates=$(docker export "$probe" | tar -x --to-command \
  'grep -qE "^[[:space:]]*berths[[:space:]]*=.*[$][{]BERTHS[}]" && echo "/${TAR_FILENAME#./}"; true' 2>/dev/null)
docker rm -v "$probe" >/dev/null 2>&1

[ -n "$templates" ] || fail "The image $image_ref (used by the web container) contains no settings template (no file with the line berths = \${BERTHS})." \
  "Expected: the Dockerfile COPYs harborlog.conf.tmpl into the image." ${stale:+"$stale"}

hidden=()
while IFS= read -r path; do
  [ -n "$path" ] || continue
  if mount=$(mount_covering "$cid" "$path"); then
    hidden+=("$path, under the $mount")
  else
    pass "The image ships its template at $path, and no mount of the web container covers that path."
  fi
done <<< "$templates"

list=$(printf '%s; ' "${hidden[@]}"); list=${list%; }
fail "The image puts its template at $list. In the container that path shows the mount's content, not the image's (a volume gets a copy of the image's files only while it is empty)." \
  "Expected: the template at a path that no volume or bind mount of the web container covers." ${stale:+"$stale"}
