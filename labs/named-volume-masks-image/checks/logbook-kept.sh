# Task: the running app still serves the logbook entries written by 1.0 during setup.
# Their pilot references derive from DRYDOCK_SEED, so only the original data (or a
# faithful backup of it) matches; the app is asked, not the files in the workdir. The
# entries must also still live where they are kept across containers: in the volume
# harborlog_data, which the web container mounts (wherever the learner mounts it).
expected=()
for i in 1 2 3 4; do expected+=("PX-$(seed_hex "logbook-$i")"); done

cid=$(service_container harborlog web)
[ -n "$cid" ] || fail "There is no container for the web service, so nothing serves the logbook." \
  "Expected: harborlog running and serving the 4 entries logged before the upgrade."

logbook=''
read_logbook() { logbook=$(docker exec "$cid" wget -qO- -T 1 http://127.0.0.1:8080/cgi-bin/logbook 2>/dev/null); }
retry_while_up 3 "$cid" read_logbook \
  || fail "Can't check the logbook yet: the check reads it through the running app, and the web container is $(describe_state "$cid")." \
    "Get the service running first, keeping its data volume."

missing=0
for ref in "${expected[@]}"; do grep -qF "$ref" <<< "$logbook" || missing=$((missing + 1)); done
if [ "$missing" -eq 0 ]; then found="has all 4 entries"
elif [ "$missing" -eq 4 ]; then found="has none of the 4 entries"
else found="is missing $missing of the 4 entries"; fi
said="The logbook harborlog serves $found logged before the upgrade ($(grep -c . <<< "$logbook") lines now)."

# Where the data lives: the volume harborlog_data, mounted by the web container.
data_at=$(docker inspect -f '{{range .Mounts}}{{if and (eq .Type "volume") (eq .Name "harborlog_data")}}{{.Destination}}{{end}}{{end}}' "$cid")
in_volume=0
if docker volume inspect harborlog_data >/dev/null 2>&1; then
  in_volume=$(run_container --network none -v harborlog_data:/data:ro drydock/lab-base:latest \
    sh -c 'cat /data/logbook.txt /data/*/logbook.txt 2>/dev/null' | grep -cF "${expected[0]}")
fi

if [ "$missing" -eq 0 ]; then
  [ -n "$data_at" ] && [ "$in_volume" -gt 0 ] \
    && pass "All 4 logbook entries from before the upgrade are still there, served from volume harborlog_data (mounted at $data_at)."
  [ -n "$data_at" ] || fail "$said But the web container does not mount volume harborlog_data: the entries it serves live in the container itself, and the next recreate (any deploy) throws them away with every entry logged since." \
    "Expected: the web container keeps volume harborlog_data mounted, and the fix goes into the image."
  fail "$said But volume harborlog_data (mounted at $data_at) doesn't hold them: they live in the container itself and go with the next recreate."
fi

if [ -z "$data_at" ]; then
  IFS='|' read -r type name src < <(docker inspect -f '{{range .Mounts}}{{if eq .Destination "/home/app/harborlog"}}{{.Type}}|{{.Name}}|{{.Source}}{{end}}{{end}}' "$cid")
  case "$type" in
    volume) fail "$said" "The web container now mounts volume $name at /home/app/harborlog, but the entries are in volume harborlog_data." ;;
    bind) fail "$said" "The web container now bind-mounts $src at /home/app/harborlog, but the entries are in volume harborlog_data." ;;
    *) fail "$said" "The web container does not mount volume harborlog_data any more: the entries are in that volume, and new ones would be lost with the container." ;;
  esac
fi
[ "$in_volume" -gt 0 ] \
  && fail "$said" "The entries are still in volume harborlog_data (mounted at $data_at), but harborlog doesn't read its logbook from there any more."
fail "$said" "Volume harborlog_data doesn't hold them either: it was removed and created again empty (docker compose down -v, docker volume rm), and the entries are gone. Start the lab over to try again."
