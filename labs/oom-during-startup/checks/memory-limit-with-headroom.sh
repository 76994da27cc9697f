# Task: the web container keeps a memory limit, at most the 256 MiB budget, and at least
# 20 % above tidewatch's start-up peak. The peak is fixed by the app: its loader holds a
# 160 MiB table (docker stats shows about 161 MiB), so the limit must be >= 192 MiB. The
# limit must come from compose.yaml (deploy.resources.limits.memory or mem_limit), so that
# the next deploy keeps it: a limit set with `docker update` is gone at the next recreate.
PEAK_MIB=160
FLOOR_MIB=192     # PEAK_MIB + 20 %
CEILING_MIB=256

cid=$(service_container tidewatch web)
[ -n "$cid" ] || fail "There is no container for the web service (Compose project tidewatch), so there is no limit to check." \
  "Start it with: ./deploy.sh (or docker compose up -d)"

mib() { awk -v b="$1" 'BEGIN { m = b / 1048576; if (m == int(m)) printf "%d MiB", m; else printf "%.1f MiB", m }'; }
bytes=$(docker inspect -f '{{.HostConfig.Memory}}' "$cid")
shown=$(mib "$bytes")

# What compose.yaml gives the service: the limit the next deploy creates the container with.
note=''
if config=$(docker compose config --format json 2>&1); then
  planned=$(jq -r '.services.web.deploy.resources.limits.memory // .services.web.mem_limit // 0' <<< "$config")
  [ "$planned" = "$bytes" ] \
    || note="compose.yaml gives the service $([ "$planned" = 0 ] && echo "no limit" || mib "$planned"), but the running container has $([ "$bytes" = 0 ] && echo "none" || echo "$shown")"
else
  note="compose.yaml is not valid: $(tail -n 1 <<< "$config")"
fi

[ "$bytes" -gt 0 ] || fail "The web container has no memory limit at all." \
  "The host's rule is that every service keeps one: tidewatch may have at most $CEILING_MIB MiB (deploy.resources.limits.memory in compose.yaml)." ${note:+"Also: $note."}
[ "$bytes" -le $((CEILING_MIB * 1048576)) ] || fail "The web container's memory limit is $shown: over tidewatch's budget of $CEILING_MIB MiB on this host." \
  "Expected: a limit above the start-up peak with about 20 % headroom, and no more than $CEILING_MIB MiB." ${note:+"Also: $note."}
if [ "$bytes" -lt $((PEAK_MIB * 1048576)) ]; then
  fail "The web container's memory limit is $shown, less than tidewatch needs while it starts." \
    "Measure the start-up peak (docker stats while it starts, with a limit out of the way) and set the limit at least 20 % above it, at most $CEILING_MIB MiB." \
    ${note:+"Note: $note (recreate it with docker compose up -d)."}
fi
[ "$bytes" -ge $((FLOOR_MIB * 1048576)) ] || fail "The web container's memory limit is $shown: just above tidewatch's start-up peak (about $PEAK_MIB MiB), with less than 20 % headroom." \
  "Expected: at least $FLOOR_MIB MiB and at most $CEILING_MIB MiB, so a slightly bigger model next month doesn't bring the crash loop back."
[ -z "$note" ] || fail "The web container's memory limit is $shown, but it doesn't come from compose.yaml: $note." \
  "A limit changed on the container (docker update) is lost at the next deploy, which recreates the container from compose.yaml. Set it there and recreate (docker compose up -d)."
pass "The web container's memory limit is $shown, as compose.yaml sets it: above the start-up peak (about $PEAK_MIB MiB) with headroom, and within the $CEILING_MIB MiB budget."
