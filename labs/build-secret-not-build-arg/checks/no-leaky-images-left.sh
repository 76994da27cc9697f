# Task: no image on this engine still holds the package server token: the leaky images
# built before the fix (tagged or left untagged by a rebuild) are removed.

# (Images that the first task's check builds for a moment are left out: they are its own.)
mapfile -t images < <(comm -23 <(docker images -aq --no-trunc | sort -u) <(docker images -aq --no-trunc --filter label=io.drydock.check=rebuild | sort -u))
[ "${#images[@]}" -gt 0 ] || pass "There are no images on this engine, so none holds the token."
traces=$(token_traces "${images[@]}")
leaky=() first=''
while IFS= read -r image; do
  [ -n "$image" ] || continue
  leaky+=("$(image_label "$image")")
  [ -n "$first" ] || first=$(grep -m 1 "^$image"$'\t' <<< "$traces" | cut -f 2- | redact)
done < <(cut -f 1 <<< "$traces" | sort -u)

if [ "${#leaky[@]}" -gt 0 ]; then
  list=$(printf '%s; ' "${leaky[@]}"); list=${list%; }
  fail "${#leaky[@]} image(s) on this engine still hold the package server token: $list. (First trace: $first)" \
    "Expected: none. A rebuild doesn't change old images; it only moves the tag. Remove the leaky ones (docker image rm, docker image prune)."
fi
# A cleanup must not take what the runner still needs: the base image (nothing can be
# pulled here), the clean release kept for rollbacks, and the package server's container.
base=''; docker image inspect drydock/lab-base:latest >/dev/null 2>&1 || base=missing
rollback=''; docker image inspect waybill:0.9 >/dev/null 2>&1 || rollback=missing
pkgs=$(docker inspect -f '{{.State.Status}}' kestrel-pkgs 2>/dev/null)
if [ -n "$base$rollback" ] || [ "$pkgs" != running ]; then
  gone=()
  [ -z "$rollback" ] || gone+=("waybill:0.9, the clean release kept for rollbacks, is gone (docker image prune -a removes every image no container uses)")
  [ -z "$base" ] || gone+=("the base image drydock/lab-base:latest is gone, so no build can run any more (nothing can be pulled)")
  [ "$pkgs" = running ] || gone+=("the package server's container kestrel-pkgs is ${pkgs:-gone}")
  list=$(printf '%s; ' "${gone[@]}"); list=${list%; }
  fail "No image holds the token any more, but the cleanup removed more than the leaky images: $list." \
    "Expected: only the images that hold the token removed (docker image rm IMAGE, or docker image prune for untagged ones)."
fi
pass "None of the ${#images[@]} images on this engine holds the package server token, and the rollback release waybill:0.9, the base image and the package server are still there."
