# Task: the running tidewire uses the harbour office's settings, including the webhook
# whose token derives from DRYDOCK_SEED (so default or made-up settings don't pass). The
# settings may come from the file or from TIDEWIRE_* variables: the app is asked. They
# must reach it at run time, not baked into the image: the image's files, environment
# and build history must not hold the webhook's secret token.
token="tw-$(seed_hex webhook 16)"
cid=$(service_container tidewire tidewire)
[ -n "$cid" ] || fail "There is no container for the tidewire service, so nothing uses the harbour office's settings." \
  "Start it with: docker compose up -d"

status=''
answers() { status=$(docker exec "$cid" wget -qO- -T 1 http://127.0.0.1:8080/cgi-bin/status 2>/dev/null); }
retry_while_up 3 "$cid" answers \
  || fail "Can't check the settings yet: the check asks the running app, and the tidewire container is $(describe_state "$cid")." \
    "Get it running first, with the harbour office's settings from tidewire/config.json."

get() { sed -n "s/^$1 = //p" <<< "$status" | head -n 1; }
wrong=()
expect() { [ "$(get "$1")" = "$2" ] || wrong+=("$1 = $(get "$1") (expected $2)"); }
expect harbour 'Port Ellery'
expect channel '#harbour-ops'
expect quiet_hours '23:00-05:30'
expect alerts 'gale,surge,fog'
webhook=$(get webhook_url)
[[ "$webhook" == *"/hooks/$token" ]] || wrong+=("webhook_url = ${webhook:-(empty)} (expected the harbour office's webhook, ending in /hooks/$token)")

if [ ${#wrong[@]} -eq 0 ]; then
  # The settings are right; now make sure they don't come from the image itself.
  image=$(docker inspect -f '{{.Image}}' "$cid")
  ref=$(docker inspect -f '{{.Config.Image}}' "$cid")
  baked=''
  if docker image inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$image" | grep -qF "$token"; then
    baked="its environment (ENV)"
  elif docker history --no-trunc --format '{{.CreatedBy}}' "$image" | grep -qF "$token"; then
    baked="its build history"
  elif docker save "$image" 2>/dev/null | grep -qaF "$token"; then
    # The image's layers, read without creating a container from it.
    baked="its files"
  fi
  [ -z "$baked" ] || fail "The harbour office's webhook, with its secret token, is baked into the image $ref ($baked)." \
    "Anyone who can pull or save the image has the token, and edits to tidewire/config.json no longer reach tidewire. Expected: the settings delivered at run time (a mount of tidewire/ or TIDEWIRE_* variables)."
  pass "tidewire uses the harbour office's settings (channel #harbour-ops, their webhook, quiet hours 23:00-05:30), and the image $ref holds no copy of their webhook token."
fi
list=$(printf '%s; ' "${wrong[@]}")
fail "tidewire runs, but not with the harbour office's settings: ${list%; }." \
  "It reads: $(get config). The office's settings are in tidewire/config.json on the host; a fresh, empty config location gets defaults instead."
