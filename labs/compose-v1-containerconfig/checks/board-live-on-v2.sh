# Task: ferryboard 2.4 is live, in a container that Compose v2 created, and nothing is
# left over from the crashed v1 run. The engine is asked: the container's labels (Compose
# writes its own version into com.docker.compose.version) and the running app itself.
WANT=2.4
mapfile -t all < <(docker ps -aq --filter label=com.docker.compose.project=ferryboard --filter label=com.docker.compose.service=board)
cid=$(service_container ferryboard board)
[ -n "$cid" ] || fail "There is no container for ferryboard's board service (Compose project ferryboard)." \
  "Expected: ferryboard $WANT running, deployed with ./deploy.sh."

IFS='|' read -r name image made_by < <(docker inspect -f '{{slice .Name 1}}|{{.Config.Image}}|{{index .Config.Labels "com.docker.compose.version"}}' "$cid")

if ! container_is_up "$cid"; then
  fail "The board is down: its newest container, $name ($image), is $(describe_state "$cid")." \
    "Expected: ferryboard $WANT running. The crashed v1 deploy stopped the old container before it failed to create the new one."
fi

case "$made_by" in
  2.*|v2.*) ;;
  *) fail "The board runs ($name, $image), but its container was created by Compose ${made_by:-(unknown version)}, i.e. v1 (its label com.docker.compose.version)." \
       "Expected: a container created by Compose v2: deploy with \`docker compose\`, e.g. through your fixed deploy.sh." ;;
esac

release=''
ask() { release=$(docker exec "$cid" wget -qO- -T 1 http://127.0.0.1:8080/cgi-bin/version 2>/dev/null | sed -n 's/^ferryboard //p'); [ -n "$release" ]; }
retry_while_up 3 "$cid" ask || fail "The board container $name is running, but ferryboard does not answer on port 8080 inside it." \
  "Its last log line: $(last_log_line "$cid")"
[ "$release" = "$WANT" ] || fail "The board runs ferryboard $release (container $name, image $image); expected release $WANT." \
  "deploy.sh deploys the release named in the RELEASE file."

if [ "${#all[@]}" -gt 1 ]; then
  others=$(for id in "${all[@]}"; do [ "$id" = "$cid" ] || docker inspect -f '{{slice .Name 1}} ({{.State.Status}})' "$id"; done | tr '\n' ',' | sed 's/,$//; s/,/, /g')
  fail "ferryboard $WANT is live, but the board service has other containers left over: $others." \
    "Expected: one container for the service. \`docker compose up -d\` replaces leftovers from the crashed v1 run; so does \`docker rm\`."
fi

pass "ferryboard $WANT is live in $name, created by Compose $made_by."
