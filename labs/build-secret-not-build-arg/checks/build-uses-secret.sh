# Task: the build gets the token as a secret, not as a build argument. Judged three ways:
# - Compose's resolved configuration (`docker compose config`, in the CI runner's
#   environment): no build argument carries the token, and a build secret, if declared,
#   delivers it from outside the project (the token file or the PKG_TOKEN variable);
# - the project folder: no file in it holds the token (it would be committed, and sent
#   with the build context);
# - a rebuild of the Dockerfile as it is now, with the token offered only as a build
#   secret and no build argument: the download must work and the image must be clean.
#   Both routes that give the secret pass: Compose's build.secrets or `docker build --secret`.
export PKG_TOKEN="$TOKEN"
b64=$(printf 'ci:%s' "$TOKEN" | base64 -w0 | tr -d '=')
build_id=$(seed_hex manifest-tools-build)

cfg=$(docker compose config --format json 2>&1) \
  || fail "Compose can't read the project: $(tail -n 1 <<< "$cfg")" "Expected: compose.yaml valid, with the web service's build taking the token as a secret."

build_args=$(jq -r --arg t "$TOKEN" --arg b "$b64" \
  '.services.web.build.args // {} | to_entries[] | select((.value // "") | tostring | (contains($t) or contains($b))) | .key' <<< "$cfg" | paste -sd, -)
[ -z "$build_args" ] || fail "compose.yaml still hands the token to the build as a build argument ($build_args)." \
  "Build arguments are recorded in the image's history (docker history --no-trunc). Expected: the token only as a BuildKit secret (build.secrets in compose.yaml, or docker build --secret)."

mapfile -t files < <(project_token_files)
if [ "${#files[@]}" -gt 0 ]; then
  list=$(printf '%s, ' "${files[@]}"); list=${list%, }
  fail "The token is in the project folder: $list. Anything there is committed with the repository and sent to the builder with the build context." \
    "Expected: the token stays outside the project (in /root/.config/kestrel/pkg-token or PKG_TOKEN); a secret reads it from there."
fi

# Secrets that compose.yaml declares for the build must deliver the token.
mapfile -t wanted < <(jq -r '.services.web.build.secrets // [] | .[] | if type == "string" then . else .source end' <<< "$cfg")
how=''
if [ "${#wanted[@]}" -gt 0 ]; then
  why=()
  for name in "${wanted[@]}"; do
    IFS='|' read -r file var < <(jq -r --arg n "$name" '.secrets[$n] // {} | "\(.file // "")|\(.environment // "")"' <<< "$cfg")
    if [ -n "$file" ]; then
      file=${file/#\~/$HOME}
      if [ ! -r "$file" ]; then why+=("secret $name comes from $file, which does not exist")
      elif [ "$(tr -d '\r\n' < "$file")" = "$TOKEN" ]; then how="Compose gives it as secret $name, from $file"; break
      else why+=("secret $name comes from $file, which does not hold the package server token"); fi
    elif [ -n "$var" ]; then
      if [ "${!var:-}" = "$TOKEN" ]; then how="Compose gives it as secret $name, from the variable $var"; break
      else why+=("secret $name comes from the variable $var, but the CI runner has the token in PKG_TOKEN"); fi
    else
      why+=("secret $name is not defined under the top-level secrets: of compose.yaml")
    fi
  done
  if [ -z "$how" ]; then
    list=$(printf '%s; ' "${why[@]}"); list=${list%; }
    fail "The web service's build has secrets, but none delivers the token: $list." \
      "The token is in /root/.config/kestrel/pkg-token and in PKG_TOKEN."
  fi
fi

# The Dockerfile, rebuilt with the token only as a secret (its own copy, removed after).
context=$(jq -r '.services.web.build.context // empty' <<< "$cfg"); context=${context:-$LAB_DIR}
dockerfile=$(jq -r '.services.web.build.dockerfile // "Dockerfile"' <<< "$cfg")
case "$dockerfile" in /*) ;; *) dockerfile="$context/$dockerfile" ;; esac
[ "$(docker inspect -f '{{.State.Status}}' kestrel-pkgs 2>/dev/null)" = running ] \
  || fail "The package server (container kestrel-pkgs) is not running, so no build can download manifest-tools." \
    "Start it again: docker start kestrel-pkgs. It is not part of your project."
LOOK_ERRORS=$(mktemp)
trap 'drop_rebuilt; rm -f "$LOOK_ERRORS"' EXIT
rebuild_with_secret_only "$context" "$dockerfile" \
  || fail "Built with the token given only as a build secret, and no build argument, the Dockerfile does not work: $REBUILD_WHY." \
    "Expected: the download step reads the token from a secret mount (RUN --mount=type=secret,id=...), not from ARG PKG_TOKEN."
version=$(image_file "$REBUILT" /opt/manifest-tools/VERSION 2>"$LOOK_ERRORS")
looked=$?
# 1 means the file is missing; anything else is the engine's.
[ "$looked" -le 1 ] || fail "The Dockerfile built, but looking inside the image failed (exit $looked): $(tail -n 1 "$LOOK_ERRORS")" \
  "That says nothing about your Dockerfile: press Check again."
grep -qF "build $build_id" <<< "$version" \
  || fail "Built with the token given only as a build secret, the Dockerfile builds, but the image has no manifest-tools from the package server (/opt/manifest-tools/VERSION: ${version:-missing})." \
    "Expected: the download step reads the token from the secret mount, and installs manifest-tools 1.3."
mapfile -t traces < <(token_traces "$REBUILT" | cut -f 2- | redact)
[ "${#traces[@]}" -eq 0 ] || fail "Built with the token given as a build secret, the image still holds the token, in ${#traces[@]} place(s). First: ${traces[0]}" \
  "A secret is only safe while nothing copies it into the image. Expected: the token read from /run/secrets/... in the one RUN step that needs it."

ids=$(printf '%s, ' "${REBUILD_IDS[@]}"); ids=${ids%, }
pass "Built with the token only as a build secret ($ids), and no build argument, the Dockerfile installs manifest-tools and leaves no trace of the token; ${how:-compose.yaml passes no build argument with it}. No file in the project holds the token."
