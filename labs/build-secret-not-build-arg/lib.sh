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
  local tmp cfg layers id i n layer layer_list
  tmp=$(mktemp -d /tmp/drydock-scan.XXXXXX)
  token_patterns > "$tmp/patterns"
  mkdir "$tmp/x"
  if ! { docker save -o "$tmp/images.tar" "$@" 2>/dev/null && tar -x -C "$tmp/x" -f "$tmp/images.tar" 2>/dev/null; }; then
    rm -rf "$tmp"
    # One of them is gone (removed meanwhile): scan the others one by one.
    if [ $# -gt 1 ]; then for i in "$@"; do token_traces "$i"; done; fi
    return 0
  fi
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
    read -r -a layer_list <<< "$layers"
    n=${#layer_list[@]} i=0
    for layer in "${layer_list[@]}"; do
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
# project_token_files: files in the project folder ($LAB_DIR, hidden ones included) that
# hold the token in any of its forms, one per line, relative to the folder.
project_token_files() {
  local p
  p=$(mktemp /tmp/drydock-patterns.XXXXXX)
  token_patterns > "$p"
  (cd "$LAB_DIR" && grep -rlaF -f "$p" . 2>/dev/null | sed 's|^\./||' | sort)
  rm -f "$p"
}
# secret_ids DOCKERFILE: the ids of the secrets its RUN --mount=type=secret options mount
# (id=, or else the file name of target=/dst=), one per line.
secret_ids() {
  grep -oE -- '--mount=[^[:space:]]*type=secret[^[:space:]]*|--mount=[^[:space:]]*' "$1" 2>/dev/null \
    | grep 'type=secret' | while IFS= read -r m; do
      m=${m#--mount=}
      id=$(tr ',' '\n' <<< "$m" | sed -n 's/^id=//p' | head -n 1)
      [ -n "$id" ] || id=$(tr ',' '\n' <<< "$m" | sed -n 's/^\(target\|dst\|destination\)=//p' | head -n 1 | sed 's|.*/||')
      [ -n "$id" ] && printf '%s\n' "$id"
    done | tr -d '"'"'" | sort -u
}
# rebuild_with_secret_only CONTEXT DOCKERFILE: builds the Dockerfile as the CI runner
# would, with the token offered only as a build secret (under each id the Dockerfile
# mounts) and no build arguments. Sets REBUILT (image ID) or REBUILD_WHY (what failed).
# The caller removes REBUILT with drop_rebuilt when it is done.
rebuild_with_secret_only() {
  local context=$1 dockerfile=$2 args=() id out
  REBUILT='' REBUILD_WHY='' REBUILD_BEFORE=$(docker images -aq --no-trunc)
  mapfile -t REBUILD_IDS < <(secret_ids "$dockerfile")
  [ "${#REBUILD_IDS[@]}" -gt 0 ] || { REBUILD_WHY="the Dockerfile mounts no secret (no RUN --mount=type=secret,...)"; return 1; }
  for id in "${REBUILD_IDS[@]}"; do args+=(--secret "id=$id,env=DRYDOCK_CHECK_TOKEN"); done
  out=$(DRYDOCK_CHECK_TOKEN=$TOKEN docker build -q --label io.drydock.check=rebuild --add-host pkgs.kestrel.internal:host-gateway \
        "${args[@]}" -f "$dockerfile" "$context" 2>&1) \
    || { REBUILD_WHY=$(grep -v '^\s*$' <<< "$out" | grep -iE 'error|fail|denied|unauthori|40[0-9]' | tail -n 2 | tr '\n' ' ' | redact); REBUILD_WHY=${REBUILD_WHY:-$(tail -n 1 <<< "$out" | redact)}; return 1; }
  REBUILT=$(tail -n 1 <<< "$out")
}
drop_rebuilt() {
  [ -n "${REBUILT:-}" ] && ! grep -qxF "$REBUILT" <<< "$REBUILD_BEFORE" && docker rmi "$REBUILT" >/dev/null 2>&1
  return 0
}
