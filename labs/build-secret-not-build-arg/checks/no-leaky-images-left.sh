# Task: no image on this engine still holds the package server token: the leaky images
# built before the fix (tagged or left untagged by a rebuild) are removed.

mapfile -t images < <(docker images -aq --no-trunc | sort -u)
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
pass "None of the ${#images[@]} images on this engine holds the package server token."
