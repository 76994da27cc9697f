# Task: compose.yaml hands the token to the web service's build as a secret, not as a
# build argument. Judged on Compose's resolved configuration (`docker compose config`),
# in the CI runner's environment (PKG_TOKEN set, token file present): no build argument
# may carry the token, and a build secret must deliver it (from a file or a variable).
TOKEN="pkt_$(seed_hex pkg-token 32)"
export PKG_TOKEN="$TOKEN"
b64=$(printf 'ci:%s' "$TOKEN" | base64 -w0 | tr -d '=')

cfg=$(docker compose config --format json 2>&1) \
  || fail "Compose can't read the project: $(tail -n 1 <<< "$cfg")" "Expected: compose.yaml valid, with the web service's build taking the token as a secret."
jq -e '.services.web.build' <<< "$cfg" >/dev/null 2>&1 \
  || fail "compose.yaml has no build section for the web service, so nothing tells Compose how the image gets the token." \
    "Expected: services.web.build with a secret that delivers the token."

args=$(jq -r --arg t "$TOKEN" --arg b "$b64" \
  '.services.web.build.args // {} | to_entries[] | select((.value // "") | tostring | (contains($t) or contains($b))) | .key' <<< "$cfg" | paste -sd, -)
[ -z "$args" ] || fail "compose.yaml still hands the token to the build as a build argument ($args)." \
  "Build arguments are recorded in the image's history (docker history --no-trunc). Expected: the token only as a build secret (build.secrets)."

mapfile -t wanted < <(jq -r '.services.web.build.secrets // [] | .[] | if type == "string" then . else .source end' <<< "$cfg")
[ "${#wanted[@]}" -gt 0 ] || fail "The web service's build gets no secrets: compose.yaml has no services.web.build.secrets." \
  "Expected: a build secret that delivers the token (defined under the top-level secrets:, from the token file or the PKG_TOKEN variable)."

why=()
for name in "${wanted[@]}"; do
  IFS='|' read -r file var < <(jq -r --arg n "$name" '.secrets[$n] // {} | "\(.file // "")|\(.environment // "")"' <<< "$cfg")
  if [ -n "$file" ]; then
    file=${file/#\~/$HOME}
    if [ ! -r "$file" ]; then why+=("secret $name comes from $file, which does not exist")
    elif [ "$(tr -d '\r\n' < "$file")" = "$TOKEN" ]; then pass "The web service's build gets the token as secret $name (from $file), and no build argument carries it."
    else why+=("secret $name comes from $file, which does not hold the package server token"); fi
  elif [ -n "$var" ]; then
    if [ "${!var:-}" = "$TOKEN" ]; then pass "The web service's build gets the token as secret $name (from the variable $var), and no build argument carries it."
    else why+=("secret $name comes from the variable $var, but the CI runner has the token in PKG_TOKEN"); fi
  else
    why+=("secret $name is not defined under the top-level secrets: of compose.yaml")
  fi
done
list=$(printf '%s; ' "${why[@]}"); list=${list%; }
fail "The web service's build has secrets, but none delivers the token: $list." \
  "The token is in /root/.config/kestrel/pkg-token and in PKG_TOKEN."
