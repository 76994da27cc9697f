# Task: the web service runs an image rebuilt without testdata/ and .git/ inside, and
# answers with its dependencies installed.
cid=$(service_container tidewise web)
[ -n "$cid" ] || fail "There is no container for the web service (Compose project tidewise)." \
  "Build and start it with: docker compose up -d --build"

reply=''
answers() { reply=$(docker exec "$cid" wget -qO- -T 1 http://127.0.0.1:8080/cgi-bin/tide 2>/dev/null); }
if ! retry_while_up 3 "$cid" answers; then
  state=$(describe_state "$cid")
  [ "$state" = running ] && fail "The web container runs, but tidewise doesn't answer on port 8080 inside it." "Its last log line: $(last_log_line "$cid")"
  fail "The web container is $state; expected it running." "Its last log line: $(last_log_line "$cid")"
fi
grep -q '^dependencies: 8 packages' <<< "$reply" \
  || fail "tidewise answers, but without its 8 dependencies: $(grep '^dependencies' <<< "$reply" || echo 'no dependency line')." \
    "Expected: dependencies: 8 packages, installed in the image by tools/install-deps.sh from deps.lock."

image=$(docker inspect -f '{{.Image}}' "$cid")
size=$(docker image inspect -f '{{.Size}}' "$image")
human() { awk -v b="$1" 'BEGIN { if (b >= 1000000) printf "%.1f MB", b / 1000000; else printf "%.0f kB", b / 1000 }'; }
mb=$(human "$size")
found=$(docker exec "$cid" find / -xdev \( -name testdata -o -name .git \) -type d 2>/dev/null | head -n 3 | sed ':a;N;$!ba;s/\n/ and /g')
[ -z "$found" ] || fail "The image the web container runs ($mb) still has $found inside." \
  "Expected: rebuilt after .dockerignore leaves those folders out, and the container recreated: docker compose up -d --build"

# Files deleted by a later step are hidden, not gone: the layer that copied them keeps
# them, and the image is as big as before. Judge the layers, not the file system view.
base=$(docker image inspect -f '{{.Size}}' drydock/lab-base:latest 2>/dev/null || echo 0)
added=$(( size - base ))
if [ "$added" -gt 3000000 ]; then
  big=$(docker history --no-trunc --format '{{.Size}}|{{.CreatedBy}}' "$image" 2>/dev/null \
        | awk -F'|' '$1 ~ /MB|GB/ { sub(/ *# buildkit$/, "", $2); print $1 " in the layer of: " substr($2, 1, 80); exit }')
  fail "The image the web container runs is $mb, $(human "$added") more than its base image: its layers still carry the bulk${big:+ ($big)}." \
    "testdata/ and .git/ are not visible inside, but a later step only hides files an earlier layer copied. Leave them out of the build context (.dockerignore) and rebuild."
fi
pass "The web container runs a $mb image (its layers add $(human "$added") to the base image) with no testdata/ or .git/ inside, and tidewise answers with its 8 dependencies."
