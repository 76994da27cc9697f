# Task: berthboard 2.1 is deployed by Compose: the container named berthboard-api is the
# one Compose created for the api service (not a look-alike started by hand), it runs
# 2.1, and the wall board (web) gets its berths from it.
cid=$(service_container berthboard api)
holder=$(docker inspect -f '{{.Id}}' berthboard-api 2>/dev/null || true)

if [ -z "$cid" ]; then
  if [ -n "$holder" ]; then
    fail "Compose has no container for the api service: the name berthboard-api is held by a container Compose didn't create (image $(docker inspect -f '{{.Config.Image}}' "$holder"), $(describe_state "$holder"))." \
      "Compose never replaces a container it didn't create, so every docker compose up fails on that name. Expected: docker compose up -d creating berthboard-api for berthboard 2.1."
  fi
  fail "There is no container for the api service (Compose project berthboard), and no container named berthboard-api." \
    "Expected: berthboard 2.1 deployed with docker compose up -d."
fi

name=$(docker inspect -f '{{.Name}}' "$cid"); name=${name#/}
if [ "$name" != berthboard-api ]; then
  other=''
  [ -n "$holder" ] && other=" The name berthboard-api still belongs to another container (image $(docker inspect -f '{{.Config.Image}}' "$holder"), $(describe_state "$holder")), and that is what the board and monitoring reach."
  fail "Compose's api container is named $name, but everything that uses the API reaches it as berthboard-api.$other" \
    "Expected: the api service keeps container_name: berthboard-api."
fi

container_is_up "$cid" || fail "The api container berthboard-api is $(describe_state "$cid"); expected it running." \
  "Its last log line: $(last_log_line "$cid")"

version=''
api_answers() { version=$(docker exec "$cid" wget -qO- -T 1 http://127.0.0.1:8080/cgi-bin/version 2>/dev/null); }
retry_while_up 3 "$cid" api_answers || fail "berthboard-api is running but doesn't answer on port 8080 inside the container." \
  "Its last log line: $(last_log_line "$cid")"
[ "$version" = 2.1 ] || fail "berthboard-api runs version ${version:-unknown}; expected 2.1 (image $(docker inspect -f '{{.Config.Image}}' "$cid"))." \
  "Rebuild and recreate it with docker compose up -d --build."

web=$(service_container berthboard web)
[ -n "$web" ] && container_is_up "$web" || fail "berthboard-api runs 2.1, but the web board is ${web:+$(describe_state "$web")}${web:-missing}." \
  "Expected: both services of compose.yaml running (docker compose up -d)."
board=''
board_answers() { board=$(docker exec "$web" wget -qO- -T 2 http://127.0.0.1:8080/cgi-bin/board 2>/dev/null); }
retry_while_up 3 "$web" board_answers || fail "The web board container is $(describe_state "$web"), but doesn't answer on port 8080; expected the wall board there." \
  "Its last log line: $(last_log_line "$web")"
grep -q '^# berthboard-api 2.1$' <<< "$board" || fail "The web board doesn't show 2.1's berths; it shows: $(sed -n 2p <<< "$board")" \
  "Expected: the board gets its data from berthboard-api 2.1."
pass "berthboard 2.1 is deployed: Compose's api container is berthboard-api, and the board gets its berths from it."
