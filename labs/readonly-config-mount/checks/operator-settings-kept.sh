# Task: the running tidewire uses the harbour office's settings, including the webhook
# whose token derives from DRYDOCK_SEED (so default or made-up settings don't pass). The
# settings may come from the file or from TIDEWIRE_* variables: the app is asked.
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

[ ${#wrong[@]} -eq 0 ] && pass "tidewire uses the harbour office's settings (channel #harbour-ops, their webhook, quiet hours 23:00-05:30)."
list=$(printf '%s; ' "${wrong[@]}")
fail "tidewire runs, but not with the harbour office's settings: ${list%; }." \
  "It reads: $(get config). The office's settings are in tidewire/config.json on the host; a fresh, empty config location gets defaults instead."
