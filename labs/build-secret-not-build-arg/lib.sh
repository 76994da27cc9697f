# Shared by this lab's checks (prepended by the platform after labs/_lib/*.sh).
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
