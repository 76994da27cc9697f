# Task: usb/tollgate-booth.tar is a `docker save` archive that holds tollgate-api:1.4 and
# tollgate-worker:2.10 with their tags: each image's config is this engine's image (its
# sha256 is the image ID) and every layer is present and intact (its sha256 is the
# diff_id the config lists). A gzip-compressed archive is accepted too.
archive=usb/tollgate-booth.tar
refs=(tollgate-api:1.4 tollgate-worker:2.10)

[ -e "$archive" ] || fail "There is no archive at $LAB_DIR/$archive yet." \
  "Expected: the newest tollgate-api and tollgate-worker, saved with docker save into that one file."
[ -s "$archive" ] || fail "$LAB_DIR/$archive is empty."

tmp=$(mktemp -d /tmp/archive-check.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
# sha256 of a blob, decompressed first if it is gzip
blob_sha() { if [ "$(head -c 2 "$1" | od -An -tx1 | tr -d ' ')" = 1f8b ]; then gzip -dc "$1"; else cat "$1"; fi | sha256sum | cut -d' ' -f1; }
if [ "$(head -c 2 "$archive" | od -An -tx1 | tr -d ' ')" = 1f8b ]; then unpack=(tar -xzf); else unpack=(tar -xf); fi
err=$("${unpack[@]}" "$archive" -C "$tmp" 2>&1) || fail "$LAB_DIR/$archive is not a readable tar archive: $(head -n 1 <<< "$err")"
[ -f "$tmp/manifest.json" ] || fail "$LAB_DIR/$archive is a tar file, but not an image archive: it has no manifest.json." \
  "docker save writes image archives (layers, config, tags); docker export writes only a container's files."

for ref in "${refs[@]}"; do
  expected=$(docker image inspect -f '{{.Id}}' "$ref" 2>/dev/null); expected=${expected#sha256:}
  entry=$(jq -c --arg r "$ref" --arg full "docker.io/library/$ref" \
    'first(.[] | select((.RepoTags // []) | (index($r) or index($full))))' "$tmp/manifest.json" 2>/dev/null)
  if [ -z "$entry" ] || [ "$entry" = null ]; then
    if [ -n "$expected" ] && jq -e --arg id "$expected" 'any(.[]; (.Config | split("/") | last | sub("\\.json$"; "")) == $id)' "$tmp/manifest.json" >/dev/null 2>&1; then
      fail "The archive holds the image of $ref (${expected:0:12}), but without its tag: it was saved by image ID, so docker load would create an untagged <none> image." \
        "Save images by name:tag, e.g. docker save -o $archive ${refs[*]}"
    fi
    has=$(jq -r '[.[] | (.RepoTags // ["<untagged>"])[]] | join(", ")' "$tmp/manifest.json" 2>/dev/null)
    fail "The archive has no $ref. It holds: ${has:-nothing}." \
      "Expected: ${refs[*]} (the newest versions), saved by name."
  fi
  config=$(jq -r .Config <<< "$entry")
  [ -f "$tmp/$config" ] || fail "The archive lists a config for $ref ($config) but does not contain it: the file is incomplete."
  actual=$(sha256sum "$tmp/$config" | cut -d' ' -f1)
  if [ -z "$expected" ]; then
    fail "Can't verify the archive's $ref: this engine has no $ref any more to compare it with."
  elif [ "$actual" != "$expected" ]; then
    fail "The archive's $ref is image ${actual:0:12}, but this engine's $ref is ${expected:0:12}." \
      "Save it again from this engine: docker save -o $archive ${refs[*]}"
  fi
  mapfile -t diff_ids < <(jq -r '.rootfs.diff_ids[] | sub("^sha256:"; "")' "$tmp/$config")
  mapfile -t layers < <(jq -r '.Layers[]' <<< "$entry")
  [ "${#layers[@]}" -eq "${#diff_ids[@]}" ] || fail "The archive's $ref lists ${#layers[@]} layers, but its config needs ${#diff_ids[@]}: the archive is incomplete."
  for i in "${!layers[@]}"; do
    [ -f "$tmp/${layers[$i]}" ] || fail "Layer $((i + 1)) of $ref (${layers[$i]}) is missing from the archive: it is incomplete."
    [ "$(blob_sha "$tmp/${layers[$i]}")" = "${diff_ids[$i]}" ] \
      || fail "Layer $((i + 1)) of $ref in the archive is damaged (its checksum doesn't match). Save the archive again."
  done
  found+=("$ref (${expected:0:12}, ${#layers[@]} layers)")
done
pass "$archive is a complete image archive: $(printf '%s and ' "${found[@]}" | sed 's/ and $//'), tags included."
