# Task: usb/tollgate-booth.tar is a `docker save` archive that holds the released
# tollgate-api:1.4 and tollgate-worker:2.10 under those tags: each image's config is
# that release (its labels, see lib.sh; its sha256 is the image ID) and every layer is
# present and intact (its sha256 is the diff_id the config lists). Further tags (e.g.
# latest) and further images may be in it too. A gzip-compressed archive is accepted.
archive=usb/tollgate-booth.tar
refs=(tollgate-api:1.4 tollgate-worker:2.10)

if [ ! -e "$archive" ]; then
  near=''
  for candidate in usb/tollgate-booth.*; do
    [ -e "$candidate" ] && [ "$candidate" != "$archive" ] && { near=$candidate; break; }
  done
  [ -n "$near" ] && fail "There is no archive at $LAB_DIR/$archive, but there is $LAB_DIR/$near." \
    "The booth's instructions load usb/tollgate-booth.tar: give the archive that name (docker load reads plain and gzip-compressed archives alike)."
  fail "There is no archive at $LAB_DIR/$archive yet." \
    "Expected: the newest tollgate-api and tollgate-worker, saved with docker save into that one file."
fi
[ -s "$archive" ] || fail "$LAB_DIR/$archive is empty (0 bytes)." \
  "Expected: the newest tollgate-api and tollgate-worker, saved with docker save into that one file."

tmp=$(mktemp -d /tmp/archive-check.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
is_gzip() { [ "$(head -c 2 "$1" | od -An -tx1 | tr -d ' ')" = 1f8b ]; }
# sha256 of a blob, decompressed first if it is gzip
blob_sha() { if is_gzip "$1"; then gzip -dc "$1"; else cat "$1"; fi | sha256sum | cut -d' ' -f1; }
if is_gzip "$archive"; then unpack=(tar -xzf); else unpack=(tar -xf); fi
err=$("${unpack[@]}" "$archive" -C "$tmp" 2>&1) || fail "$LAB_DIR/$archive is not a readable tar archive: $(head -n 1 <<< "$err")"
[ -f "$tmp/manifest.json" ] || fail "$LAB_DIR/$archive is a tar file, but not an image archive: it has no manifest.json." \
  "docker save writes image archives (layers, config, tags); docker export writes only a container's files, without the image's settings or tags."

# config_release CONFIG_FILE REPO: which release of REPO a config in the archive is.
config_release() {
  IFS='|' read -r v r < <(jq -r '[.config.Labels["org.opencontainers.image.version"] // "", .config.Labels["org.opencontainers.image.revision"] // ""] | join("|")' "$1" 2>/dev/null)
  release_named "$2" "$v" "$r"
}
tags_of() { jq -r '(.RepoTags // []) | map(sub("^docker.io/library/"; "")) | if length == 0 then "no tag at all" else join(", ") end' <<< "$1"; }

found=()
for ref in "${refs[@]}"; do
  repo=${ref%%:*} version=${ref#*:}
  entry=$(jq -c --arg r "$ref" --arg full "docker.io/library/$ref" \
    'first(.[] | select((.RepoTags // []) | (index($r) or index($full))))' "$tmp/manifest.json" 2>/dev/null)
  if [ -z "$entry" ] || [ "$entry" = null ]; then
    # The release may be in the archive under other tags, or none.
    while IFS= read -r e; do
      c=$(jq -r .Config <<< "$e")
      [ -f "$tmp/$c" ] && [ "$(config_release "$tmp/$c" "$repo")" = "$repo $version" ] || continue
      tags=$(tags_of "$e")
      [ "$tags" = "no tag at all" ] && fail "The archive holds the image of $ref, but without its tag: it was saved by image ID, so docker load at the booth creates an untagged <none> image." \
        "Save images by name:tag, e.g. docker save -o $archive ${refs[*]}"
      fail "The archive holds the image of $ref only as $tags: docker load at the booth creates no $ref, and nothing there can ask for that version." \
        "Save it under its version tag (other tags may come along): docker save -o $archive ${refs[*]}"
    done < <(jq -c '.[]' "$tmp/manifest.json" 2>/dev/null)
    has=$(jq -r '[.[] | (.RepoTags // ["<untagged>"])[]] | join(", ")' "$tmp/manifest.json" 2>/dev/null)
    fail "The archive has no $ref. It holds: ${has:-nothing}." \
      "Expected: ${refs[*]} (the newest versions), saved by name into that one archive."
  fi
  config=$(jq -r .Config <<< "$entry")
  [ -f "$tmp/$config" ] || fail "The archive lists a config for $ref ($config) but does not contain it: the file is incomplete."
  is=$(config_release "$tmp/$config" "$repo")
  if [ "$is" != "$repo $version" ]; then
    what="an image that is no tollgate release (rebuilt, imported or committed: it lacks the release labels)"
    [ -n "$is" ] && what="the image of $is"
    fail "The archive's $ref is $what, not the released $ref." \
      "A tag is only a name. Ship the released image: docker save -o $archive ${refs[*]}, once $ref names it."
  fi
  id=$(sha256sum "$tmp/$config" | cut -d' ' -f1)
  mapfile -t diff_ids < <(jq -r '.rootfs.diff_ids[] | sub("^sha256:"; "")' "$tmp/$config")
  mapfile -t layers < <(jq -r '.Layers[]' <<< "$entry")
  [ "${#layers[@]}" -eq "${#diff_ids[@]}" ] || fail "The archive's $ref lists ${#layers[@]} layers, but its config needs ${#diff_ids[@]}: the archive is incomplete."
  for i in "${!layers[@]}"; do
    [ -f "$tmp/${layers[$i]}" ] || fail "Layer $((i + 1)) of $ref (${layers[$i]}) is missing from the archive: it is incomplete, and the booth, which can't pull, could not load it."
    [ "$(blob_sha "$tmp/${layers[$i]}")" = "${diff_ids[$i]}" ] \
      || fail "Layer $((i + 1)) of $ref in the archive is damaged (its checksum doesn't match). Save the archive again."
  done
  found+=("$ref (${id:0:12}, ${#layers[@]} layers)")
done
pass "$archive is a complete image archive holding the released $(printf '%s and ' "${found[@]}" | sed 's/ and $//'), with their version tags."
